import { expect } from 'chai';
import { buildEvent } from '../../src/callbacks/build-event';
import { fixture, startTestService, tempDir, waitFor } from '../helpers/service';
import { recorderTs, writePlugin } from '../helpers/plugin-files';

const DAY = 24 * 60 * 60 * 1000;
const seed = fixture('destroy-room.seed-example.json');
const body = (room: string): string => seed.replace('"tandy-test-rest"', JSON.stringify(room));

describe('retention', () => {
  it('prunes events older than the retention once every plugin has finished them', async () => {
    const svc = await startTestService({
      onlyPlugins: ['logging'],
      config: { retention: { days: 30, schedule: '*/1 * * * * *' } },
    });
    try {
      const store = svc.service.store;
      // Two events received 40 days ago (as if stored back then), one today.
      for (const room of ['old-1', 'old-2']) {
        const event = buildEvent({ raw: body(room), query: { SdkAppid: '1' }, receivedAt: Date.now() - 40 * DAY });
        await svc.service.ingest.acceptBuilt(event);
      }
      expect((await svc.post(body('fresh'))).status).to.equal(200);
      await svc.waitForIdle();

      // The two may go in one run or in two (the plugin's cursor may pass them apart).
      const rooms = async (): Promise<Array<string | null>> => (await store.readEvents(0, 100)).map((e) => e.event.roomId);
      const pruned = (): number => svc.logs.filter((l) => /retention: pruned/.test(String(l.msg))).reduce((n, l) => n + Number(l.events), 0);
      await waitFor(async () => (await rooms()).length === 1 && pruned() === 2, 15_000, 'the retention job to prune both old events');
      expect(await rooms()).to.deep.equal(['fresh']);
    } finally {
      await svc.stop();
    }
  });

  it('keeps an old event a plugin has not finished', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'stuck', 'index.ts', recorderTs('stuck', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const svc = await startTestService({
      pluginsDir,
      config: { retention: { days: 30, schedule: '*/1 * * * * *' }, delivery: { shutdownGraceMs: 50 } },
      plugins: { stuck: { enabled: true, capabilities: ['fs'], out: '/dev/null', sleepMs: 60_000, timeoutMs: 120_000 } },
    });
    try {
      const old = buildEvent({ raw: body('old-pending'), query: { SdkAppid: '1' }, receivedAt: Date.now() - 40 * DAY });
      await svc.service.ingest.acceptBuilt(old);
      const runs = (): number => svc.logs.filter((l) => /retention: pruned/.test(String(l.msg))).length;
      await waitFor(() => runs() >= 2, 15_000, 'two retention runs while the plugin is still busy with the event');
      expect((await svc.service.store.readEvents(0, 10)).map((e) => e.event.roomId)).to.deep.equal(['old-pending']);
    } finally {
      await svc.stop();
    }
  });
});
