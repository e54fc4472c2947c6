/**
 * A misbehaving plugin costs only itself: each of these runs in its own
 * isolate next to a healthy plugin, and takes down nothing but its isolate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor, type TestService } from '../helpers/service';
import { livehookInProcess } from '../helpers/cli';

/** A plugin that misbehaves, in the way given, on the room called "poison" only. */
function misbehaving(name: string, behaviour: string): string {
  return `
import Joi from 'joi';
import { definePlugin, type CallbackEvent, type PluginHandler } from 'livehook';

class Handler implements PluginHandler {
  handle(event: CallbackEvent): Promise<void> | void {
    if (event.roomId !== 'poison') return;
    ${behaviour}
  }
}

export default definePlugin({ name: '${name}', version: '1.0.0', commands: ['Live.CallbackAfterDestroyRoom'], options: Joi.object({}), handler: Handler });
`;
}

const BEHAVIOURS: Record<string, string> = {
  spinner: 'for (;;) { /* a CPU loop */ }',
  quitter: 'process.exit(0);',
  thrower: "return new Promise(() => { setTimeout(() => { throw new Error('thrown in a timer'); }, 10); });",
  hog: 'const hog: number[][] = []; for (;;) hog.push(new Array(100_000).fill(Math.random()));',
};

function destroyRoom(roomId: string): Record<string, unknown> {
  return { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: roomId, EventType: 'DestroyByUser', EventTime: Date.now(), RoomInfo: { RoomName: roomId } };
}

describe('isolates: a misbehaving plugin costs only itself', function () {
  this.timeout(60_000);
  let svc: TestService;
  let out: string;
  const dirs: string[] = [];

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    dirs.push(pluginsDir);
    out = path.join(tempDir('livehook-out-'), 'calls.jsonl');
    dirs.push(path.dirname(out));
    writePlugin(pluginsDir, 'healthy', 'index.ts', recorderTs('healthy'));
    for (const [name, behaviour] of Object.entries(BEHAVIOURS)) writePlugin(pluginsDir, name, 'index.ts', misbehaving(name, behaviour));
    const retry = { baseMs: 50, capMs: 50, maxAttempts: 2 };
    svc = await startTestService({
      pluginsDir,
      plugins: {
        healthy: { enabled: true, capabilities: ['fs'], out },
        spinner: { enabled: true, timeoutMs: 400, retry },
        quitter: { enabled: true, retry },
        thrower: { enabled: true, timeoutMs: 5000, retry },
        hog: { enabled: true, heapMb: 32, retry },
      },
    });
    dirs.push(svc.dataDir, svc.configDir);
  });

  after(async () => {
    await svc?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers callbacks in its usual time while plugins spin, exit, throw and overflow their heaps', async () => {
    expect((await svc.post(destroyRoom('poison'))).status).to.equal(200);
    // While the spinner's isolate burns a core and the others crash and restart:
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const res = await svc.post(destroyRoom(`during-${i}`));
      expect(res.status).to.equal(200);
      // A CPU loop on the ingest thread would never answer at all; a second is far beyond a busy machine's noise.
      expect(performance.now() - started).to.be.below(1000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await svc.get('/healthz')).status).to.equal(200);
  });

  it('retries the event in each of them, then gives it up as dead with the reason', async () => {
    const reasons: Record<string, RegExp> = {
      spinner: /blocked for more than \d+ ms .*CPU loop/,
      quitter: /exited with code 0/,
      thrower: /crashed: thrown in a timer/,
      hog: /ran out of memory \(heap limit 32 MB/,
    };
    for (const [plugin, reason] of Object.entries(reasons)) {
      await waitFor(async () => (await svc.service.store.listDeliveries({ plugin, status: 'dead' })).length === 1, 30_000, `${plugin}'s delivery to go dead`);
      const [dead] = await svc.service.store.listDeliveries({ plugin });
      expect(dead.attempts, plugin).to.equal(2);
      expect(dead.lastError, plugin).to.match(reason);
    }
  });

  it('lets the healthy plugin deliver everything, and the others deliver again once restarted', async () => {
    const handled = () => readRecords(out).filter((r) => r.hook === 'handle').map((r) => r.event.roomId);
    await waitFor(() => handled().length >= 11, 10_000, 'the healthy plugin to see every event');
    expect(handled()).to.include.members(['poison', ...Array.from({ length: 10 }, (_, i) => `during-${i}`)]);
    expect((await svc.post(destroyRoom('after'))).status).to.equal(200);
    await waitFor(() => svc.service.isolates.list().every((i) => i.state === 'running'), 20_000, 'every plugin to run again');
    await svc.waitForIdle(20_000);
    expect(handled()).to.include('after');
  });

  it('counts the restarts in /metrics', async () => {
    const metrics = String((await svc.get('/metrics')).body);
    for (const plugin of Object.keys(BEHAVIOURS)) {
      const match = new RegExp(`livehook_plugin_restarts_total\\{plugin="${plugin}"\\} (\\d+)`).exec(metrics);
      expect(match, plugin).to.not.equal(null);
      expect(Number(match![1]), plugin).to.be.at.least(2);
    }
    expect(metrics).to.match(/livehook_plugin_up\{plugin="healthy"\} 1/);
  });
});

describe('isolates: a plugin that keeps crashing is shown as failed', function () {
  this.timeout(60_000);

  it('in /readyz, /metrics and `livehook plugins`, with the reason', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'quitter', 'index.ts', misbehaving('quitter', 'process.exit(3);'));
    const svc = await startTestService({ pluginsDir, plugins: { quitter: { enabled: true, retry: { baseMs: 20, capMs: 20, maxAttempts: 5 } } } });
    try {
      for (let i = 0; i < 3; i++) expect((await svc.post(destroyRoom('poison'))).status).to.equal(200);
      await waitFor(() => svc.service.isolates.get('quitter')!.state === 'failed', 30_000, 'the plugin to be failed');
      const ready = await svc.get('/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.reason).to.match(/plugin failed: quitter .*exited with code 3/);
      expect(String((await svc.get('/metrics')).body)).to.match(/livehook_plugin_up\{plugin="quitter"\} 0/);
      const listed = await livehookInProcess(['plugins'], { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir });
      expect(listed.code).to.equal(1);
      expect(listed.stdout).to.match(/quitter 1\.0\.0\s+enabled/).and.to.match(/failed on \S+ since .*exited with code 3/);
    } finally {
      await svc.stop();
      for (const dir of [pluginsDir, svc.dataDir, svc.configDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('isolates: process.exit in a plugin run with "isolation": "process"', function () {
  this.timeout(60_000);

  it('ends only its child process: the service serves on, the event is retried and goes dead, the plugin runs again', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir('livehook-out-'), 'calls.jsonl');
    writePlugin(pluginsDir, 'quitter', 'index.ts', misbehaving('quitter', 'process.exit(0);'));
    writePlugin(pluginsDir, 'healthy', 'index.ts', recorderTs('healthy'));
    const svc = await startTestService({
      pluginsDir,
      plugins: {
        // A time-out long enough for the second attempt to wait for the restarted child, not time out on it.
        quitter: { enabled: true, isolation: 'process', timeoutMs: 10_000, retry: { baseMs: 50, capMs: 50, maxAttempts: 2 } },
        healthy: { enabled: true, capabilities: ['fs'], out },
      },
    });
    try {
      expect((await svc.post(destroyRoom('poison'))).status).to.equal(200);
      await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'quitter', status: 'dead' })).length === 1, 30_000, "quitter's delivery to go dead");
      const [dead] = await svc.service.store.listDeliveries({ plugin: 'quitter' });
      expect(dead.attempts).to.equal(2);
      expect(dead.lastError).to.match(/exited with code 0/);
      // The service itself never exited: it answers, and both plugins take the next event.
      expect((await svc.post(destroyRoom('after'))).status).to.equal(200);
      await waitFor(() => svc.service.isolates.list().every((i) => i.state === 'running'), 20_000, 'quitter to run again');
      await svc.waitForIdle(20_000);
      expect(readRecords(out).filter((r) => r.hook === 'handle').map((r) => r.event.roomId)).to.include.members(['poison', 'after']);
      expect(await svc.service.store.listDeliveries({ plugin: 'quitter', status: 'retrying' })).to.deep.equal([]);
    } finally {
      await svc.stop();
    }
  });
});

describe('isolates: a CPU loop in a plugin run with "isolation": "process"', function () {
  this.timeout(60_000);

  it('costs only its own event: the events after it wait for the stuck process to go, and are delivered', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const dataDir = tempDir('livehook-data-');
    // The one folder the process may write.
    const out = path.join(dataDir, 'plugins', 'spinner', 'calls.jsonl');
    writePlugin(pluginsDir, 'spinner', 'index.ts', recorderTs('spinner', { behaviour: "if (event.roomId === 'poison') for (;;) { /* a CPU loop */ }" }));
    const svc = await startTestService({
      pluginsDir,
      dataDir,
      plugins: { spinner: { enabled: true, isolation: 'process', capabilities: ['fs'], out, timeoutMs: 500, retry: { baseMs: 50, capMs: 50, maxAttempts: 3 } } },
    });
    try {
      for (const room of ['poison', 'innocent-1', 'innocent-2']) expect((await svc.post(destroyRoom(room))).status).to.equal(200);
      await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'spinner', status: 'dead' })).length === 1, 40_000, "the poison's delivery to go dead");
      await svc.waitForIdle(20_000);
      const deliveries = await svc.service.store.listDeliveries({ plugin: 'spinner' });
      expect(deliveries, 'only the poison failed').to.have.length(1);
      expect(deliveries[0]!.lastError).to.match(/timed out after 500 ms|its process was killed/);
      const done = readRecords(out).filter((r) => r.hook === 'done').map((r) => (r as { seq: number }).seq);
      const handled = readRecords(out).filter((r) => r.hook === 'handle' && done.includes((r as { delivery: { seq: number } }).delivery.seq)).map((r) => r.event.roomId);
      expect(handled).to.include.members(['innocent-1', 'innocent-2']);
    } finally {
      await svc.stop();
    }
  });
});

describe('isolates: an error thrown in a timer of a plugin run with "isolation": "process"', function () {
  this.timeout(60_000);

  it('ends its child process, with the error\'s words as the reason', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'thrower', 'index.ts', misbehaving('thrower', BEHAVIOURS.thrower!));
    const svc = await startTestService({ pluginsDir, plugins: { thrower: { enabled: true, isolation: 'process', timeoutMs: 10_000, retry: { baseMs: 50, capMs: 50, maxAttempts: 2 } } } });
    try {
      expect((await svc.post(destroyRoom('poison'))).status).to.equal(200);
      await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'thrower', status: 'dead' })).length === 1, 30_000, "thrower's delivery to go dead");
      const [dead] = await svc.service.store.listDeliveries({ plugin: 'thrower' });
      expect(dead!.lastError).to.match(/its process crashed: thrown in a timer/);
    } finally {
      await svc.stop();
    }
  });
});
