/**
 * Two `livehook serve` processes on one PostgreSQL database, a plugin's cron
 * job on a seconds schedule on both. One instance claims a slot and dies
 * (SIGKILL) in the middle of its run: the other runs that slot once the dead
 * one's claim runs out (delivery.leaseMs), and no slot runs to its end twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { writePlugin } from '../helpers/plugin-files';
import { tempDir, waitFor } from '../helpers/service';
import { type Instance, startInstance, useCluster } from './instances';

/** Writes "started" and "done" lines per slot to `out`; with `hang`, a run never ends. */
const NIGHTLY = `
'use strict';
const fs = require('node:fs');
const Joi = require('joi');
const { injectable, inject } = require('tsyringe');
class Handler {
  constructor(scheduler, options) { this.scheduler = scheduler; this.options = options; }
  init() {
    this.scheduler.schedule('nightly', '* * * * * *', async (run) => {
      const line = (phase) => fs.appendFileSync(this.options.out, JSON.stringify({ pid: process.pid, slot: run.slot.toISOString(), phase }) + '\\n');
      line('started');
      if (this.options.hang) await new Promise(() => {});
      line('done');
    });
  }
  handle() {}
}
inject('scheduler')(Handler, undefined, 0);
inject('options')(Handler, undefined, 1);
injectable()(Handler);
module.exports = {
  name: 'nightly', version: '0.0.1', commands: ['Live.CallbackAfterDestroyRoom'], capabilities: ['scheduler', 'fs'],
  options: Joi.object({ out: Joi.string().required(), hang: Joi.boolean().default(false) }),
  handler: Handler,
};
`;

const LEASE_MS = 3000;

describe('several instances on one PostgreSQL database: a cron slot whose instance died mid-run', function () {
  this.timeout(90_000);
  const cluster = useCluster();
  const { instances, dirs } = cluster;

  it('is run by the other instance once the dead one\'s claim runs out, and each slot ends once', async function () {
    const pluginsDir = tempDir('livehook-plugins-');
    const outDir = tempDir('livehook-out-');
    dirs.push(pluginsDir, outDir);
    writePlugin(pluginsDir, 'nightly', 'index.js', NIGHTLY);
    const out = path.join(outDir, 'runs.jsonl');
    const start = (name: string, hang: boolean) =>
      startInstance({
        name,
        databaseUrl: cluster.db.url,
        config: { pluginsDir, config: { delivery: { leaseMs: LEASE_MS } }, plugins: { nightly: { enabled: true, capabilities: ['scheduler', 'fs'], out, hang } } },
      });
    // a's runs never end, as a run cut short by a crash; b's do.
    instances.push(...(await Promise.all([start('a', true), start('b', false)])));
    const [a, b] = instances as [Instance, Instance];
    const lines = () =>
      fs.existsSync(out)
        ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; slot: string; phase: string })
        : [];

    await waitFor(() => lines().some((l) => l.pid === a.pid), 30_000, 'instance a to claim a slot and start its run');
    const slot = lines().find((l) => l.pid === a.pid)!.slot;
    // a holds the slot and renews its claim meanwhile: b does not run it.
    await new Promise((r) => setTimeout(r, LEASE_MS + 1000));
    expect(lines().filter((l) => l.slot === slot && l.pid === b.pid), 'b ran the slot while a held it').to.deep.equal([]);
    a.child.child.kill('SIGKILL');

    await waitFor(() => lines().some((l) => l.slot === slot && l.pid === b.pid && l.phase === 'done'), 20_000, 'instance b to run the dead instance\'s slot');
    const takeover = b.logs().find((l) => l.slot === slot && String(l.msg).includes('stopped before its run ended'));
    expect(takeover?.msg).to.equal(`cron job "nightly": the instance that claimed slot ${slot} stopped before its run ended (it died, or gave the slot back at a stop); running it here`);
    await b.child.kill('SIGTERM');

    // Every slot that ended, ended once.
    const ended = lines().filter((l) => l.phase === 'done').map((l) => l.slot);
    expect(ended.length).to.be.at.least(3);
    expect(ended.filter((s, i) => ended.indexOf(s) !== i), 'slots that ended twice').to.deep.equal([]);
  });
});
