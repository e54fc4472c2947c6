/**
 * Plugins' TypeScript in isolates: compiled by the main thread, never by an
 * isolate (the compiler is a native addon that crashes the whole process
 * when a second worker thread loads it after a first one has ended).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';

const room = (roomId: string) => ({ CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: roomId, EventType: 'DestroyByUser', EventTime: Date.now() });

describe('isolates: TypeScript compiled for them', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts isolates one after another, each with TypeScript never compiled before, and the process lives on', async () => {
    for (let round = 0; round < 3; round++) {
      const pluginsDir = tempDir('livehook-plugins-');
      const out = path.join(tempDir('livehook-out-'), 'calls.jsonl');
      dirs.push(pluginsDir, path.dirname(out));
      // New source each round: a cache miss each time.
      writePlugin(pluginsDir, 'fresh', 'index.ts', `${recorderTs('fresh')}\n// round ${round} ${Date.now()} ${Math.random()}\n`);
      const svc = await startTestService({ pluginsDir, plugins: { fresh: { enabled: true, capabilities: ['fs'], out } } });
      dirs.push(svc.dataDir, svc.configDir);
      try {
        expect((await svc.post(room(`round-${round}`))).status).to.equal(200);
        await waitFor(() => readRecords(out).some((r) => r.hook === 'handle'), 10_000, 'the delivery');
      } finally {
        await svc.stop();
      }
    }
  });

  it('compiles, through the main thread, a .ts file a plugin imports from outside its folder', async () => {
    const root = tempDir('livehook-plugins-');
    dirs.push(root);
    const pluginsDir = path.join(root, 'plugins');
    fs.mkdirSync(path.join(root, 'shared'), { recursive: true });
    // Outside the plugin's folder, so not compiled ahead with it.
    fs.writeFileSync(path.join(root, 'shared', 'shout.ts'), `// ${Math.random()} (new each run: never in the cache)\nexport function shout(text: string): string { return text.toUpperCase(); }\n`);
    const out = path.join(root, 'calls.jsonl');
    writePlugin(pluginsDir, 'shouter', 'index.ts', `
import fs from 'node:fs';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type CallbackEvent, type PluginHandler } from 'livehook';
import { shout } from '../../shared/shout';

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('options') private readonly options: { out: string }) {}
  handle(event: CallbackEvent): void { fs.appendFileSync(this.options.out, JSON.stringify(shout(event.roomId ?? '')) + '\\n'); }
}
export default definePlugin({ name: 'shouter', version: '1.0.0', commands: '*', options: Joi.object({ out: Joi.string() }), handler: Handler });
`);
    const svc = await startTestService({ pluginsDir, plugins: { shouter: { enabled: true, capabilities: ['fs'], out } } });
    dirs.push(svc.dataDir, svc.configDir);
    try {
      expect((await svc.post(room('quiet-room'))).status).to.equal(200);
      await waitFor(() => readRecords(out).length === 1, 10_000, 'the delivery');
      expect(readRecords(out)).to.deep.equal(['QUIET-ROOM']);
    } finally {
      await svc.stop();
    }
  });
});
