import path from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/open-store';
import { createLogger } from '../../src/log/logger';
import { startChildService } from '../helpers/child-service';
import { fixture, post, tempDir, waitFor, writeConfigDir } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

const seed = fixture('destroy-room.seed-example.json');
const body = (i: number): string => seed.replace('"tandy-test-rest"', `"kill-room-${i}"`);

describe('durability: SIGKILL right after OK', function () {
  this.timeout(60_000);

  it('finds every acknowledged event after a restart, and its plugins deliver it', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'recorder', 'index.ts', recorderTs('recorder'));
    // A slow plugin: most deliveries are still pending when the process dies.
    writePlugin(pluginsDir, 'slowpoke', 'index.ts', recorderTs('slowpoke', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const configDir = writeConfigDir({ pluginsDir, plugins: { recorder: { enabled: true, capabilities: ['fs'], out }, slowpoke: { enabled: true, capabilities: ['fs'], out, sleepMs: 20 } } });
    const dataDir = tempDir('livehook-data-');
    const env = { LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir, LIVEHOOK_LOG_LEVEL: 'info' };

    const first = await startChildService(env);
    const acknowledged: number[] = [];
    let killed = false;
    // 200 callbacks, 25 at a time; SIGKILL the moment the 120th OK arrives.
    await Promise.all(
      Array.from({ length: 25 }, async (_, lane) => {
        for (let i = lane; i < 200 && !killed; i += 25) {
          try {
            const res = await post(first.url, body(i), { SdkAppid: '1400000001' });
            if (res.status === 200) acknowledged.push(i);
            if (acknowledged.length >= 120 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          } catch {
            // the connection died with the process: not acknowledged
          }
        }
      }),
    );
    expect(await first.exited).to.equal('SIGKILL');
    expect(acknowledged.length).to.be.at.least(120);

    // Every acknowledged event is in the store.
    const store = await openStore({ dataDir, logger: createLogger('silent') });
    const stored = new Set((await store.readEvents(0, 10_000)).map((e) => e.event.roomId));
    await store.close();
    for (const i of acknowledged) expect(stored.has(`kill-room-${i}`), `kill-room-${i}`).to.equal(true);

    // After restart, both plugins finish every acknowledged event (at least once).
    const second = await startChildService(env);
    try {
      const seen = (plugin: string): Set<string> => new Set(readRecords(out).filter((r) => r.plugin === plugin && r.hook === 'handle').map((r) => r.event.roomId as string));
      await waitFor(() => acknowledged.every((i) => seen('recorder').has(`kill-room-${i}`) && seen('slowpoke').has(`kill-room-${i}`)), 30_000, 'every acknowledged event to reach both plugins').catch((e) => { console.log(acknowledged.length, seen('recorder').size, seen('slowpoke').size, second.stderr.join('').slice(-3000)); throw e; });
    } finally {
      await second.kill('SIGTERM');
    }
  });
});
