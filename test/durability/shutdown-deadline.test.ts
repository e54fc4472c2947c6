/**
 * A supervisor can rely on the stop: after SIGTERM the process is gone
 * within delivery.shutdownGraceMs plus the two seconds operating.md
 * promises (ending the isolates, closing the store), whatever a plugin
 * does. Alone on an idle machine it takes the grace plus about half a
 * second; the suite's other files running beside it took it past one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startChildService } from '../helpers/child-service';
import { post, tempDir, waitFor, writeConfigDir } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

describe('durability: the stop keeps its deadline', function () {
  this.timeout(60_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) it(`exits within the grace plus two seconds of ${signal} while a plugin with a 60 s time-out hangs, ignoring its abort signal`, async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const outDir = tempDir('livehook-out-');
    const dataDir = tempDir('livehook-data-');
    const out = path.join(outDir, 'calls.jsonl');
    // Never resolves, never looks at delivery.signal.
    writePlugin(pluginsDir, 'stubborn', 'index.ts', recorderTs('stubborn', { behaviour: 'await new Promise(() => undefined);' }));
    const graceMs = 1000;
    const configDir = writeConfigDir({ pluginsDir, config: { delivery: { shutdownGraceMs: graceMs } }, plugins: { stubborn: { enabled: true, capabilities: ['fs'], out, timeoutMs: 60_000 } } });
    const service = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir });
    try {
      const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'hang', EventType: 'DestroyByUser', EventTime: 1_756_986_061_775 };
      expect((await post(service.url, body, { SdkAppid: '1400000001' })).status).to.equal(200);
      await waitFor(() => readRecords(out).some((r) => r.hook === 'handle'), 10_000, 'the plugin to hang in its handler');
      const signalled = Date.now();
      const code = await service.kill(signal);
      const took = Date.now() - signalled;
      expect(code).to.equal(0);
      expect(took, `gone ${took} ms after ${signal}`).to.be.below(graceMs + 2000);
      // The hung delivery spent no attempt: it runs again at the next start.
      expect(service.stderr.join('')).to.not.match(/delivery is dead/);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      for (const dir of [pluginsDir, outDir, dataDir, configDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
