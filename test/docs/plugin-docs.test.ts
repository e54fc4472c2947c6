/**
 * docs/plugins.md is copied from as much as the README: its plain JavaScript
 * plugin must load and run as printed, and its plugin-store example must run
 * against a real plugin store (inside a plugin's isolate, as a user's would).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, fixture, startTestService, tempDir } from '../helpers/service';
import { readRecords } from '../helpers/plugin-files';

function docBlocks(lang: string): string[] {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'plugins.md'), 'utf8');
  return [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

describe('docs/plugins.md: its examples', () => {
  it('loads and runs the plain JavaScript plugin as printed', async () => {
    const [js] = docBlocks('js');
    const pluginsDir = tempDir('livehook-plugins-');
    fs.mkdirSync(path.join(pluginsDir, 'my-plugin'));
    fs.writeFileSync(path.join(pluginsDir, 'my-plugin', 'index.js'), js);
    const svc = await startTestService({ pluginsDir, plugins: { 'my-plugin': { enabled: true } } });
    try {
      expect((await svc.post(fixture('destroy-room.seed-example.json'), { SdkAppid: '1400000001' })).status).to.equal(200);
      await svc.waitForIdle();
      expect(svc.service.isolates.get('my-plugin')!.state).to.equal('running');
    } finally {
      await svc.stop();
    }
  });

  it('runs the plugin-store example against a real store', async () => {
    const example = docBlocks('ts').find((b) => b.includes('records.add('))!;
    const out = path.join(tempDir(), 'store-example.jsonl');
    const pluginsDir = tempDir('livehook-plugins-');
    fs.mkdirSync(path.join(pluginsDir, 'store-example'));
    fs.writeFileSync(
      path.join(pluginsDir, 'store-example', 'index.ts'),
      `
import fs from 'node:fs';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type PluginHandler, type PluginRecords } from 'livehook';

@injectable()
class Example implements PluginHandler {
  constructor(@inject('store') private readonly records: PluginRecords, @inject('options') private readonly options: { out: string }) {}
  async handle(): Promise<void> {
    const records = this.records;
    const roomId = 'room-1';
    const coins = 520;
    const console = { log: (...args: unknown[]) => fs.appendFileSync(this.options.out, JSON.stringify(args) + '\\n') };
    ${example}
    console.log('applied', applied);
  }
}

export default definePlugin({ name: 'store-example', version: '1.0.0', commands: '*', capabilities: ['store', 'fs'], options: Joi.object({ out: Joi.string() }), handler: Example });
`,
    );
    const svc = await startTestService({ pluginsDir, plugins: { 'store-example': { enabled: true, capabilities: ['store', 'fs'], out } } });
    try {
      await svc.post(fixture('destroy-room.seed-example.json'), { SdkAppid: '1400000001' });
      await svc.waitForIdle();
      expect(readRecords(out)).to.deep.equal([['2026-11-26:room-1', 520], ['applied', true]]);
    } finally {
      await svc.stop();
    }
  });
});
