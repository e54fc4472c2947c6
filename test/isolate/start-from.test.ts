/**
 * Where a plugin added to a running service starts reading the log:
 * "startFrom": "end" (the default) sees only what is stored from then on,
 * "beginning" every event still kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';

const room = (roomId: string) => ({ CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: roomId, EventType: 'DestroyByUser', EventTime: 1_756_986_061_775 + roomId.length });

describe('isolates: a plugin added to a running service', function () {
  this.timeout(30_000);

  it('starts at the end of the log by default, and at its beginning with "startFrom": "beginning"', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir('livehook-out-'), 'calls.jsonl');
    for (const name of ['early', 'from-end', 'from-beginning']) writePlugin(pluginsDir, name, 'index.ts', recorderTs(name));
    const svc = await startTestService({ pluginsDir, plugins: { early: { enabled: true, capabilities: ['fs'], out } } });
    try {
      for (const id of ['a', 'bb']) expect((await svc.post(room(id))).status).to.equal(200);
      await svc.waitForIdle();
      const write = (name: string, config: Record<string, unknown>) => fs.writeFileSync(path.join(svc.configDir, 'plugins', `${name}.json`), JSON.stringify(config));
      write('from-end', { enabled: true, capabilities: ['fs'], out });
      write('from-beginning', { enabled: true, capabilities: ['fs'], out, startFrom: 'beginning' });
      await waitFor(() => svc.logs.some((l) => l.msg === 'config reloaded' && (l.started as string[]).length === 2), 10_000, 'the reload to start both');
      expect((await svc.post(room('ccc'))).status).to.equal(200);
      await svc.waitForIdle();
      const seen = (plugin: string) => readRecords(out).filter((r) => r.plugin === plugin && r.hook === 'handle').map((r) => r.event.roomId);
      expect(seen('early')).to.deep.equal(['a', 'bb', 'ccc']);
      expect(seen('from-end')).to.deep.equal(['ccc']);
      expect(seen('from-beginning')).to.deep.equal(['a', 'bb', 'ccc']);
    } finally {
      await svc.stop();
      for (const dir of [pluginsDir, path.dirname(out), svc.dataDir, svc.configDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
