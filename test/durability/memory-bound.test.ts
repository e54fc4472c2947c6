/**
 * Memory is bounded in bytes, not in events: 1 MiB bodies behind a plugin
 * that takes 2 s an event wait on disk, not in memory, and past the backlog's
 * byte limit the service answers 503 (Tencent retries) instead of growing
 * until the heap runs out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startChildService } from '../helpers/child-service';
import { post, tempDir, writeConfigDir } from '../helpers/service';
import { recorderTs, writePlugin } from '../helpers/plugin-files';

const MIB = 1024 * 1024;
/** The whole service, every thread: the bound the defaults aim to keep. */
const RSS_BOUND = 512 * MIB;

function bigBody(i: number): string {
  const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: `big-${i}`, EventType: 'DestroyByUser', EventTime: 1_756_986_061_775 + i, Padding: '' };
  const size = JSON.stringify(body).length;
  body.Padding = 'x'.repeat(MIB - size - 64);
  return JSON.stringify(body);
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe('durability: memory bounded in bytes', function () {
  this.timeout(180_000);

  it('keeps 1 MiB bodies behind a 2-second plugin on disk, under the RSS bound, and answers 503 past the backlog limit', async function () {
    if (!fs.existsSync('/proc/self/status')) this.skip(); // RSS is read from Linux's /proc
    const pluginsDir = tempDir('livehook-plugins-');
    const outDir = tempDir('livehook-out-');
    const dataDir = tempDir('livehook-data-');
    writePlugin(pluginsDir, 'slowpoke', 'index.ts', recorderTs('slowpoke', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const configDir = writeConfigDir({
      pluginsDir,
      config: { ingest: { maxPendingBytes: 48 * MIB } },
      plugins: { slowpoke: { enabled: true, capabilities: ['fs'], out: path.join(outDir, 'calls.jsonl'), sleepMs: 2000, timeoutMs: 10_000 } },
    });
    const service = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir });
    const pid = service.child.pid!;
    const statuses: number[] = [];
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    try {
      // 200 MiB of bodies, 8 at a time: four times the backlog limit.
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 200) {
            const res = await post(service.url, bigBody(next++), { SdkAppid: '1400000001' });
            statuses.push(res.status);
            if (res.status === 503) expect(res.body.ErrorInfo).to.match(/plugins are [\d.]+ MiB of events behind \(limit 48\.0 MiB\)/);
          }
        }),
      );
    } finally {
      clearInterval(sampler);
      await service.kill('SIGTERM');
      for (const dir of [pluginsDir, outDir, dataDir, configDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
    const ok = statuses.filter((s) => s === 200).length;
    const refused = statuses.filter((s) => s === 503).length;
    expect(ok + refused, `statuses: ${[...new Set(statuses)].join(', ')}`).to.equal(200);
    expect(ok).to.be.within(40, 110); // the 48 MiB limit's worth, and what the plugin finished meanwhile
    expect(refused).to.be.at.least(90);
    expect(peak, `peak RSS ${(peak / MIB).toFixed(0)} MiB`).to.be.below(RSS_BOUND);
  });
});
