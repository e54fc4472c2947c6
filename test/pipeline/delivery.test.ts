import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, waitFor, type TestService } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

const QUERY = { SdkAppid: '1400000001' };
function destroyBody(room: string, eventTime = 1703589922780): string {
  return fixture('destroy-room.seed-example.json').replace('"tandy-test-rest"', JSON.stringify(room)).replace('1703589922780', String(eventTime));
}

describe('delivery: failing and slow plugins', () => {
  let pluginsDir: string;
  let out: string;
  let svc: TestService;

  before(async () => {
    pluginsDir = tempDir('livehook-plugins-');
    out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'healthy', 'index.ts', recorderTs('healthy'));
    // Fails its first `failTimes` attempts of each event, then succeeds.
    writePlugin(pluginsDir, 'flaky', 'index.ts', recorderTs('flaky', { behaviour: "if (delivery.attempt <= this.options.failTimes) throw new Error('flaky says no (attempt ' + delivery.attempt + ')');" }));
    // Always fails.
    writePlugin(pluginsDir, 'broken', 'index.ts', recorderTs('broken', { behaviour: "throw new Error('broken on purpose');" }));
    // Never answers in time.
    writePlugin(pluginsDir, 'slow', 'index.ts', recorderTs('slow', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    writePlugin(pluginsDir, 'permanent', 'index.ts', recorderTs('permanent', { behaviour: "const { PermanentError } = require('livehook'); throw new PermanentError('no point retrying');" }));
    svc = await startTestService({
      pluginsDir,
      config: { plugins: { order: ['broken', 'slow', 'flaky', 'permanent', 'healthy'] } },
      plugins: {
        healthy: { enabled: true, capabilities: ['fs'], out },
        flaky: { enabled: true, capabilities: ['fs'], out, failTimes: 2, retry: { baseMs: 40, capMs: 1000, maxAttempts: 5 } },
        broken: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 30, capMs: 60, maxAttempts: 3 } },
        slow: { enabled: true, capabilities: ['fs'], out, sleepMs: 2000, timeoutMs: 100, retry: { baseMs: 50, capMs: 50, maxAttempts: 2 } },
        permanent: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 10, capMs: 10, maxAttempts: 5 } },
      },
    });
  });
  after(() => svc.stop());

  it('answers OK at once whatever the plugins do, and the healthy plugin gets the event', async () => {
    const started = Date.now();
    const res = await svc.post(destroyBody('room-a'), QUERY);
    expect(res.status).to.equal(200);
    expect(Date.now() - started).to.be.below(1000);
    await waitFor(() => readRecords(out).some((r) => r.plugin === 'healthy' && r.hook === 'handle'), 5000, 'the healthy plugin');
  });

  it('retries a failing plugin with growing delays until it succeeds, with one idempotency key', async () => {
    await waitFor(() => readRecords(out).filter((r) => r.plugin === 'flaky' && r.hook === 'handle').length >= 3, 5000, 'three flaky attempts');
    const attempts = readRecords(out).filter((r) => r.plugin === 'flaky' && r.hook === 'handle');
    expect(attempts.map((r) => r.delivery.attempt)).to.deep.equal([1, 2, 3]);
    expect(new Set(attempts.map((r) => r.delivery.key)).size).to.equal(1);
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'flaky' })).length === 0, 5000, 'the flaky delivery to be done');
  });

  it('marks a delivery dead after the last attempt, recording the error', async () => {
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'broken', status: 'dead' })).length === 1, 5000, 'broken to go dead');
    const [dead] = await svc.service.store.listDeliveries({ plugin: 'broken' });
    expect(dead.attempts).to.equal(3);
    expect(dead.lastError).to.contain('broken on purpose');
    expect(readRecords(out).filter((r) => r.plugin === 'broken' && r.hook === 'handle')).to.have.length(3);
    const logged = svc.logs.filter((l) => l.plugin === 'broken' && l.level === 'error');
    expect(logged[0].msg).to.match(/dead/);
    expect(logged[0]).to.include({ roomId: 'room-a', command: 'Live.CallbackAfterDestroyRoom' });
  });

  it('counts a time-out as a failure and names the plugin', async () => {
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'slow', status: 'dead' })).length === 1, 5000, 'slow to go dead');
    const [dead] = await svc.service.store.listDeliveries({ plugin: 'slow' });
    expect(dead.lastError).to.match(/plugin "slow" timed out after 100 ms/);
  });

  it('sends a PermanentError dead at once', async () => {
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'permanent', status: 'dead' })).length === 1, 5000, 'permanent to go dead');
    const [dead] = await svc.service.store.listDeliveries({ plugin: 'permanent' });
    expect(dead.attempts).to.equal(1);
    expect(dead.lastError).to.contain('no point retrying');
  });

  it('keeps the healthy plugin current while others fail', async () => {
    for (let i = 0; i < 20; i++) expect((await svc.post(destroyBody(`room-b${i}`), QUERY)).status).to.equal(200);
    await waitFor(() => readRecords(out).filter((r) => r.plugin === 'healthy' && r.hook === 'handle').length === 21, 5000, 'the healthy plugin to see all 21');
  });
});

describe('delivery: the AbortSignal a handler is given', () => {
  // Waits for its signal and records why it fired: a plugin that stops its I/O when told to.
  const listener =
    "await new Promise((resolve) => delivery.signal.addEventListener('abort', resolve, { once: true }));" +
    " this.recorder.write(this.options.out, { hook: 'aborted', plugin: 'patient', seq: delivery.seq, reason: String(delivery.signal.reason?.message ?? delivery.signal.reason) });";

  it('fires when the delivery times out, with the time-out as the reason', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'patient', 'index.ts', recorderTs('patient', { behaviour: listener }));
    const svc = await startTestService({ pluginsDir, plugins: { patient: { enabled: true, capabilities: ['fs'], out, timeoutMs: 150, retry: { baseMs: 10, capMs: 10, maxAttempts: 1 } } } });
    try {
      expect((await svc.post(destroyBody('room-signal'), QUERY)).status).to.equal(200);
      await waitFor(() => readRecords(out).some((r) => r.hook === 'aborted'), 5000, 'the handler to see its signal fire');
      expect(readRecords(out).find((r) => r.hook === 'aborted')!.reason).to.equal('plugin "patient" timed out after 150 ms');
      await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'patient', status: 'dead' })).length === 1, 5000, 'the delivery to go dead');
    } finally {
      await svc.stop();
    }
  });

  it('fires at shutdown when the grace period runs out', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'patient', 'index.ts', recorderTs('patient', { behaviour: listener }));
    const svc = await startTestService({ pluginsDir, config: { delivery: { shutdownGraceMs: 100 } }, plugins: { patient: { enabled: true, capabilities: ['fs'], out, timeoutMs: 60_000 } } });
    expect((await svc.post(destroyBody('room-shutdown'), QUERY)).status).to.equal(200);
    await waitFor(() => readRecords(out).some((r) => r.hook === 'handle'), 5000, 'the handler to start');
    await svc.stop();
    await waitFor(() => readRecords(out).some((r) => r.hook === 'aborted'), 2000, 'the handler to see its signal fire');
    expect(readRecords(out).find((r) => r.hook === 'aborted')!.reason).to.equal('livehook is shutting down');
  });
});

describe('delivery: cut short by shutdown', () => {
  it('spends no attempt: no dead row, and the next start delivers the event again', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    const dataDir = tempDir();
    // Gives up with an error when told to stop, as a well-behaved plugin doing I/O would.
    const stopsOnAbort =
      "if (delivery.attempt === 1 && this.options.failTimes === 1) await new Promise((_, reject) => delivery.signal.addEventListener('abort', () => reject(delivery.signal.reason), { once: true }));";
    writePlugin(pluginsDir, 'careful', 'index.ts', recorderTs('careful', { behaviour: stopsOnAbort }));
    const plugin = { enabled: true, capabilities: ['fs'], out, timeoutMs: 60_000, retry: { baseMs: 10, capMs: 10, maxAttempts: 1 } };
    const first = await startTestService({ dataDir, pluginsDir, config: { delivery: { shutdownGraceMs: 100 } }, plugins: { careful: { ...plugin, failTimes: 1 } } });
    expect((await first.post(destroyBody('room-cut-short'), QUERY)).status).to.equal(200);
    await waitFor(() => readRecords(out).some((r) => r.hook === 'handle'), 5000, 'the handler to start');
    await first.stop();
    // maxAttempts 1: counted as an attempt, the delivery would be dead now.
    const second = await startTestService({ dataDir, pluginsDir, plugins: { careful: { ...plugin, failTimes: 0 } } });
    try {
      await waitFor(() => readRecords(out).some((r) => r.hook === 'done'), 5000, 'the event delivered again after the restart');
      expect(readRecords(out).filter((r) => r.hook === 'handle').map((r) => r.event.roomId)).to.deep.equal(['room-cut-short', 'room-cut-short']);
      expect(await second.service.store.listDeliveries({ plugin: 'careful' })).to.deep.equal([]);
    } finally {
      await second.stop();
    }
  });
});

describe('delivery: duplicates', () => {
  it('stores a repeated callback once and runs its plugins once', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'once', 'index.ts', recorderTs('once'));
    const svc = await startTestService({ pluginsDir, plugins: { once: { enabled: true, capabilities: ['fs'], out } } });
    try {
      const body = destroyBody('dup-room');
      const answers = await Promise.all([svc.post(body, QUERY), svc.post(body, QUERY), svc.post(body, QUERY)]);
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200]);
      expect((await svc.post(body, QUERY)).body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
      // A different EventTime is another event.
      expect((await svc.post(destroyBody('dup-room', 1703589922781), QUERY)).status).to.equal(200);
      await svc.waitForIdle();
      const stored = await svc.service.store.readEvents(0, 10);
      expect(stored.map((s) => [s.event.roomId, s.event.eventTime])).to.deep.equal([['dup-room', 1703589922780], ['dup-room', 1703589922781]]);
      expect(readRecords(out).filter((r) => r.hook === 'handle')).to.have.length(2);
    } finally {
      await svc.stop();
    }
  });
});

describe('delivery: concurrency', () => {
  it('runs up to the configured number of deliveries of one plugin at once, and no more', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'parallel', 'index.ts', recorderTs('parallel', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const svc = await startTestService({ pluginsDir, plugins: { parallel: { enabled: true, capabilities: ['fs'], out, sleepMs: 150, concurrency: 3 } } });
    try {
      await Promise.all(Array.from({ length: 9 }, (_, i) => svc.post(destroyBody(`par-${i}`), QUERY)));
      await svc.waitForIdle();
      let inFlight = 0;
      let most = 0;
      for (const r of readRecords(out)) {
        if (r.hook === 'handle') most = Math.max(most, ++inFlight);
        if (r.hook === 'done') inFlight--;
      }
      expect(most).to.equal(3);
      expect(readRecords(out).filter((r) => r.hook === 'done')).to.have.length(9);
    } finally {
      await svc.stop();
    }
  });
});
