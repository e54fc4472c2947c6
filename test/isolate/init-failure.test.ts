/**
 * A plugin whose init fails when the service starts (its server is down,
 * say) does not keep the service from taking callbacks: it is shown as
 * failed, started again with backoff, and then delivers what arrived
 * meanwhile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';

/** Fails in init while the file `gate` exists; records the rooms it is handed. */
const FLAKY = `
'use strict';
const fs = require('node:fs');
const Joi = require('joi');
const { inject, injectable } = require('tsyringe');
class Handler {
  constructor(options) { this.options = options; }
  init() { if (fs.existsSync(this.options.gate)) throw new Error('upstream refused the connection'); }
  handle(event) { fs.appendFileSync(this.options.out, event.roomId + '\\n'); }
}
inject('options')(Handler, undefined, 0);
injectable()(Handler);
module.exports = { name: 'flaky', version: '1.0.0', commands: '*', capabilities: ['fs'], options: Joi.object({ gate: Joi.string(), out: Joi.string() }), handler: Handler };
`;

/** Its init awaits, while the file `gate` exists, what never comes (a server that never answers); records the rooms it is handed. */
const HANGING = FLAKY.replace("if (fs.existsSync(this.options.gate)) throw new Error('upstream refused the connection');", 'if (fs.existsSync(this.options.gate)) return new Promise(() => {});').replace("name: 'flaky'", "name: 'hanging'");

/** A service whose plugin `name` (FLAKY or HANGING) fails or waits in init while the file `gate` exists. */
async function startGated(name: 'flaky' | 'hanging', settings: Record<string, unknown> = {}) {
  const pluginsDir = tempDir('livehook-plugins-');
  const work = tempDir(`livehook-${name}-`);
  const gate = path.join(work, 'upstream-down');
  const out = path.join(work, 'rooms.txt');
  fs.writeFileSync(gate, '');
  writePlugin(pluginsDir, name, 'index.js', name === 'flaky' ? FLAKY : HANGING);
  const svc = await startTestService({ pluginsDir, plugins: { [name]: { enabled: true, capabilities: ['fs'], gate, out, ...settings } } });
  return { svc, gate, out };
}

describe('a plugin that fails in init at start', function () {
  this.timeout(60_000);

  it('is shown as failed while the service takes callbacks, is started again with backoff, and delivers what it missed', async () => {
    const { svc, gate, out } = await startGated('flaky');
    try {
      const ready = await svc.get('/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.reason).to.match(/plugin failed: flaky .*upstream refused the connection/);
      expect(svc.logs.some((l) => l.level === 'error' && l.plugin === 'flaky' && /could not start: .*upstream refused/.test(String(l.msg)))).to.equal(true);
      const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'while-down', EventType: 'DestroyByUser', EventTime: Date.now() };
      expect((await svc.post(body)).status).to.equal(200);
      // What waits for it shows in /metrics while it is down.
      await waitFor(async () => /livehook_deliveries_pending\{plugin="flaky"\} 1\b/.test(String((await svc.get('/metrics')).body)), 5_000, 'the pending gauge');

      fs.rmSync(gate);
      await waitFor(() => svc.service.isolates.get('flaky')!.state === 'running', 20_000, 'the plugin to start again');
      await svc.waitForIdle(20_000);
      expect(fs.readFileSync(out, 'utf8').split('\n')).to.include('while-down');
      expect((await svc.get('/readyz')).status).to.equal(200);
    } finally {
      await svc.stop();
    }
  });

  it('is ended past its startTimeoutMs when its init never settles: the service starts, and the plugin is started again with backoff', async () => {
    const started = Date.now();
    const { svc, gate, out } = await startGated('hanging', { startTimeoutMs: 1500 });
    try {
      expect(Date.now() - started, 'the start took').to.be.below(30_000);
      const ready = await svc.get('/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.reason).to.match(/plugin failed: hanging .*did not finish starting within 1500 ms \("startTimeoutMs" in .*hanging\.json; an init that never settles\?\)/);
      const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'while-hung', EventType: 'DestroyByUser', EventTime: Date.now() };
      expect((await svc.post(body)).status).to.equal(200);

      fs.rmSync(gate);
      await waitFor(() => svc.service.isolates.get('hanging')!.state === 'running', 30_000, 'the plugin to start again');
      await svc.waitForIdle(20_000);
      expect(fs.readFileSync(out, 'utf8').split('\n')).to.include('while-hung');
    } finally {
      await svc.stop();
    }
  });

  it('ends a process-isolated plugin\'s child each time its start times out, leaving no zombie behind', async () => {
    const { svc } = await startGated('hanging', { startTimeoutMs: 1500, isolation: 'process' });
    try {
      const timedOut = () => svc.logs.filter((l) => l.plugin === 'hanging' && String(l.msg).includes('did not finish starting')).length;
      await waitFor(() => timedOut() >= 3, 30_000, 'three starts to time out');
      // Each ended child is reaped within a moment of its isolate's stop.
      await waitFor(() => zombieChildren().length === 0, 5000, `no zombie child of this process (${zombieChildren().join(', ')})`);
    } finally {
      await svc.stop();
    }
  });

  it('still stops the start when the plugin cannot be configured (a mistake to fix, not to wait out)', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'flaky', 'index.js', FLAKY);
    const error = await startTestService({ pluginsDir, plugins: { flaky: { enabled: true, capabilities: ['fs'], gate: 42 } } }).then(
      async (svc) => {
        await svc.stop();
        return null;
      },
      (err: Error) => err,
    );
    expect(error?.message).to.contain('flaky.json').and.to.contain('gate: must be a string');
  });
});

/** Processes whose parent is this one and that have exited but were never reaped. */
function zombieChildren(): number[] {
  const zombies: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' && Number(ppid) === process.pid) zombies.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return zombies;
}
