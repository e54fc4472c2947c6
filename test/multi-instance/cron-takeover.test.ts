/**
 * Two `livehook serve` processes on one PostgreSQL database, a plugin's cron
 * job on a seconds schedule on both. One instance claims a slot and dies
 * (SIGKILL) in the middle of its run: the other runs that slot once the dead
 * one's claim runs out (delivery.leaseMs), and no slot runs to its end twice.
 * Stopped (SIGTERM) mid-run instead, an instance lets the run end within its
 * grace and the slot is done; a run its close cuts short is given back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { writePlugin } from '../helpers/plugin-files';
import { tempDir, waitFor } from '../helpers/service';
import { type Instance, startInstance, useCluster } from './instances';

/**
 * Writes "started" and "done" lines per slot to `out`; with `hang`, a run never ends; with
 * `sleepMs`, it takes that long, and throws instead once close() was called with `abortOnClose`.
 */
const NIGHTLY = `
'use strict';
const fs = require('node:fs');
const Joi = require('joi');
const { injectable, inject } = require('tsyringe');
class Handler {
  constructor(scheduler, options) { this.scheduler = scheduler; this.options = options; this.closed = false; }
  init() {
    this.scheduler.schedule('nightly', '* * * * * *', async (run) => {
      const line = (phase) => fs.appendFileSync(this.options.out, JSON.stringify({ pid: process.pid, slot: run.slot.toISOString(), phase }) + '\\n');
      line('started');
      if (this.options.hang) await new Promise(() => {});
      await new Promise((r) => setTimeout(r, this.options.sleepMs));
      if (this.closed && this.options.abortOnClose) throw new Error('cut short by the stop');
      line('done');
    });
  }
  close() { this.closed = true; }
  handle() {}
}
inject('scheduler')(Handler, undefined, 0);
inject('options')(Handler, undefined, 1);
injectable()(Handler);
module.exports = {
  name: 'nightly', version: '0.0.1', commands: ['Live.CallbackAfterDestroyRoom'], capabilities: ['scheduler', 'fs'],
  options: Joi.object({ out: Joi.string().required(), hang: Joi.boolean().default(false), sleepMs: Joi.number().default(0), abortOnClose: Joi.boolean().default(false) }),
  handler: Handler,
};
`;

const LEASE_MS = 3000;

describe('several instances on one PostgreSQL database: a cron slot whose instance died mid-run', function () {
  this.timeout(90_000);
  const cluster = useCluster();
  const { instances, dirs } = cluster;

  /** Two instances' way to start, each with its own nightly options, and the lines their runs wrote. */
  function setUp() {
    const pluginsDir = tempDir('livehook-plugins-');
    const outDir = tempDir('livehook-out-');
    dirs.push(pluginsDir, outDir);
    writePlugin(pluginsDir, 'nightly', 'index.js', NIGHTLY);
    const out = path.join(outDir, 'runs.jsonl');
    const start = (name: string, options: Record<string, unknown> = {}) =>
      startInstance({
        name,
        databaseUrl: cluster.db.url,
        config: { pluginsDir, config: { delivery: { leaseMs: LEASE_MS } }, plugins: { nightly: { enabled: true, capabilities: ['scheduler', 'fs'], out, ...options } } },
      });
    const lines = () =>
      fs.existsSync(out)
        ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; slot: string; phase: string })
        : [];
    return { start, lines };
  }

  it('is run by the other instance once the dead one\'s claim runs out, and each slot ends once', async function () {
    const { start, lines } = setUp();
    // a's runs never end, as a run cut short by a crash; b's do.
    instances.push(...(await Promise.all([start('a', { hang: true }), start('b')])));
    const [a, b] = instances as [Instance, Instance];

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

  it('ends on the instance being stopped when the run ends within the grace, and is given back when its close cuts it short', async function () {
    const { start, lines } = setUp();
    // a's runs take 2 s; at a stop, a finishes them. c's throw once c closes.
    instances.push(...(await Promise.all([start('a', { sleepMs: 2000 }), start('b')])));
    const [a, b] = instances as [Instance, Instance];
    await waitFor(() => lines().some((l) => l.pid === a.pid), 30_000, 'instance a to claim a slot and start its run');
    const slot = lines().find((l) => l.pid === a.pid)!.slot;
    await a.child.kill('SIGTERM');
    expect(lines().filter((l) => l.slot === slot && l.phase === 'done').map((l) => l.pid), 'who ended the slot').to.deep.equal([a.pid]);
    expect(a.logs().some((l) => l.msg === 'cron job done' && l.slot === slot), 'a logged the run done').to.equal(true);
    // b leaves it: done is done (b looks at it again every half lease).
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    expect(lines().filter((l) => l.slot === slot && l.pid === b.pid), 'b ran a slot a ended').to.deep.equal([]);

    // Cut short by its close: given back at once, and b runs it.
    const c = await start('c', { sleepMs: 2000, abortOnClose: true });
    instances.push(c);
    await waitFor(() => lines().some((l) => l.pid === c.pid), 30_000, 'instance c to claim a slot and start its run');
    const cut = lines().find((l) => l.pid === c.pid)!.slot;
    await c.child.kill('SIGTERM');
    expect(c.logs().some((l) => l.slot === cut && String(l.msg).includes('cut short by the stop')), 'c logged the run cut short').to.equal(true);
    await waitFor(() => lines().some((l) => l.slot === cut && l.pid === b.pid && l.phase === 'done'), 20_000, 'instance b to run the slot c gave back');
    await b.child.kill('SIGTERM');
    const ended = lines().filter((l) => l.phase === 'done').map((l) => l.slot);
    expect(ended.filter((s, i) => ended.indexOf(s) !== i), 'slots that ended twice').to.deep.equal([]);
  });
});
