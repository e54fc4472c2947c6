import path from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/open-store';
import { createLogger } from '../../src/log/logger';
import { startChildService } from '../helpers/child-service';
import { fixture, post, tempDir, waitFor, writeConfigDir } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

const seed = fixture('destroy-room.seed-example.json');

describe('graceful shutdown on SIGTERM', function () {
  this.timeout(60_000);

  it('answers in-flight requests, keeps every acknowledged event, lets running deliveries finish, exits 0', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'slow', 'index.ts', recorderTs('slow', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const configDir = writeConfigDir({ pluginsDir, config: { delivery: { shutdownGraceMs: 5000 } }, plugins: { slow: { enabled: true, capabilities: ['fs'], out, sleepMs: 300 } } });
    const dataDir = tempDir('livehook-data-');
    const svc = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir });

    const outcomes: Array<{ room: string; status: number | 'error' }> = [];
    const requests = Array.from({ length: 40 }, async (_, i) => {
      const room = `term-${i}`;
      await new Promise((r) => setTimeout(r, i * 10)); // spread over ~400 ms, across the signal
      try {
        const res = await post(svc.url, seed.replace('"tandy-test-rest"', JSON.stringify(room)));
        outcomes.push({ room, status: res.status });
      } catch {
        outcomes.push({ room, status: 'error' }); // refused after the listener closed: never acknowledged
      }
    });
    // The signal comes once a delivery is running (the plugin's isolate may take a moment to start).
    await waitFor(() => readRecords(out).some((r) => r.hook === 'handle'), 10_000, 'a delivery to start');
    const exit = svc.kill('SIGTERM');
    await Promise.all(requests);
    expect(await exit).to.equal(0);

    for (const o of outcomes) expect([200, 503, 'error']).to.include(o.status);
    const acknowledged = outcomes.filter((o) => o.status === 200).map((o) => o.room);
    expect(acknowledged.length).to.be.greaterThan(0);

    const store = await openStore({ dataDir, logger: createLogger('silent') });
    const stored = new Set((await store.readEvents(0, 1000)).map((e) => e.event.roomId));
    await store.close();
    for (const room of acknowledged) expect(stored.has(room), room).to.equal(true);

    // A delivery that had started was allowed to finish within the grace period.
    const records = readRecords(out).filter((r) => r.plugin === 'slow');
    const started = records.filter((r) => r.hook === 'handle').map((r) => r.delivery.seq);
    const finished = new Set(records.filter((r) => r.hook === 'done').map((r) => r.seq));
    expect(started.length).to.be.greaterThan(0);
    for (const seq of started) expect(finished.has(seq), `delivery of seq ${seq} was cut off`).to.equal(true);
    expect(records.some((r) => r.hook === 'close')).to.equal(true);
  });

  it('closes a process-isolated plugin itself when the signal reaches the whole process group (systemd, Ctrl-C)', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'jailed', 'index.ts', recorderTs('jailed', { behaviour: 'await new Promise((r) => setTimeout(r, 200));' }));
    const configDir = writeConfigDir({ pluginsDir, plugins: { jailed: { enabled: true, isolation: 'process', capabilities: ['fs'], out } } });
    const dataDir = tempDir('livehook-data-');
    const svc = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir }, 20_000, { ownGroup: true });
    for (let i = 0; i < 3; i++) expect((await post(svc.url, seed.replace('"tandy-test-rest"', JSON.stringify(`group-${i}`)))).status).to.equal(200);
    expect(await svc.killGroup('SIGTERM')).to.equal(0);
    const log = svc.stderr.join('') + svc.stdout.join('');
    expect(log).not.to.match(/killed by SIGTERM|failed to close/);
    // The service closed the plugin (its close hook ran in the child), having let it finish its deliveries.
    const records = readRecords(out).filter((r) => r.plugin === 'jailed');
    expect(records.some((r) => r.hook === 'close')).to.equal(true);
    const started = records.filter((r) => r.hook === 'handle').map((r) => r.delivery.seq);
    const finished = new Set(records.filter((r) => r.hook === 'done').map((r) => r.seq));
    for (const seq of started) expect(finished.has(seq), `delivery of seq ${seq} was cut off`).to.equal(true);
  });
});
