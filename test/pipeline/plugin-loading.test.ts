import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, writeConfigDir, type TestService } from '../helpers/service';
import { livehookInProcess } from '../helpers/cli';
import { readRecords, recorderJs, recorderTs, writePlugin } from '../helpers/plugin-files';

const QUERY = { SdkAppid: '1400000001' };

describe('plugins dropped into the plugins folder', () => {
  let pluginsDir: string;
  let out: string;
  let svc: TestService;

  before(async () => {
    pluginsDir = tempDir('livehook-plugins-');
    out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'ts-recorder', 'index.ts', recorderTs('ts-recorder'));
    writePlugin(pluginsDir, 'js-recorder', 'index.js', recorderJs('js-recorder'));
    writePlugin(pluginsDir, 'not-configured', 'index.ts', recorderTs('not-configured'));
    writePlugin(pluginsDir, 'switched-off', 'index.ts', recorderTs('switched-off'));
    svc = await startTestService({
      pluginsDir,
      config: { plugins: { order: ['js-recorder', 'ts-recorder'] } },
      plugins: {
        'ts-recorder': { enabled: true, capabilities: ['fs'], out },
        'js-recorder': { enabled: true, capabilities: ['fs'], out },
        'switched-off': { enabled: false, out },
      },
    });
  });
  after(() => svc.stop());

  it('loads a .ts and a .js plugin with no build step and calls them with constructor injection', async () => {
    const res = await svc.post(fixture('destroy-room.seed-example.json'), QUERY);
    expect(res.status).to.equal(200);
    await svc.waitForIdle();
    const handled = readRecords(out).filter((r) => r.hook === 'handle');
    expect(handled.map((r) => r.plugin).sort()).to.deep.equal(['js-recorder', 'ts-recorder']);
  });

  it('initialises plugins in config order and never runs unconfigured or disabled ones', () => {
    const inits = readRecords(out).filter((r) => r.hook === 'init').map((r) => r.plugin);
    expect(inits).to.deep.equal(['js-recorder', 'ts-recorder']);
    expect(readRecords(out).some((r) => r.plugin === 'not-configured' || r.plugin === 'switched-off')).to.equal(false);
  });

  it('hands plugins the typed, normalized event with the raw body and the query', async () => {
    // another EventTime, or it would be a duplicate of the first test's callback
    const raw = fixture('destroy-room.seed-example.json').replace('1703589922780', '1703589999999');
    await svc.post(raw, { ...QUERY, OptPlatform: 'iOs', Extra: 'kept' });
    await svc.waitForIdle();
    const event = readRecords(out).filter((r) => r.hook === 'handle' && r.plugin === 'ts-recorder').pop()!.event;
    expect(event.command).to.equal('Live.CallbackAfterDestroyRoom');
    expect(event.known).to.equal(true);
    expect(event.roomId).to.equal('tandy-test-rest');
    expect(event.eventType).to.equal('DestroyByUser');
    expect(event.eventTime).to.equal(1703589999999);
    expect(event.sdkAppId).to.equal('1400000001');
    // the 18-digit account id keeps every digit, as a string
    expect(event.body.RoomInfo.Owner_Account).to.equal('144115216631667826');
    expect(event.body.RoomInfo.IsSeatEnabled).to.equal(true);
    expect(event.raw).to.equal(raw);
    expect(event.query).to.include({ OptPlatform: 'iOs', Extra: 'kept' });
    expect(event.id).to.be.a('string').with.length.greaterThan(10);
  });

  it('gives a command with no schema to plugins that take every command, and logs it as unknown', async () => {
    const raw = '{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"r-new","EventTime":1703589922780,"Fancy":144115216631667826}';
    const res = await svc.post(raw, QUERY);
    expect(res.status).to.equal(200);
    await svc.waitForIdle();
    const handled = readRecords(out).filter((r) => r.hook === 'handle' && r.event.command === 'Live.CallbackAfterSomethingNew');
    // ts-recorder takes '*'; js-recorder only destroy-room
    expect(handled.map((r) => r.plugin)).to.deep.equal(['ts-recorder']);
    expect(handled[0].event.known).to.equal(false);
    expect(handled[0].event.body.Fancy).to.equal('144115216631667826');
    expect(svc.logs.some((l) => l.command === 'Live.CallbackAfterSomethingNew' && /unknown command/.test(String(l.msg)))).to.equal(true);
  });

  it('closes every plugin at shutdown (each in its own isolate, at the same time)', async () => {
    await svc.stop();
    const closes = readRecords(out).filter((r) => r.hook === 'close').map((r) => r.plugin);
    expect(closes.sort()).to.deep.equal(['js-recorder', 'ts-recorder']);
  });
});

describe('plugin capabilities', () => {
  it('refuses to start when a plugin asks for a capability its config does not grant, naming both', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'greedy', 'index.js', recorderJs('greedy', ['mailer']));
    let error: Error | undefined;
    try {
      const svc = await startTestService({ pluginsDir, plugins: { greedy: { enabled: true, capabilities: ['fs'], out: '/dev/null' } } });
      await svc.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error, 'start should fail').to.not.equal(undefined);
    expect(error!.message).to.contain('greedy').and.to.contain('mailer').and.to.contain('greedy.json');
  });

  it('starts it once the capability is granted', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'greedy', 'index.js', recorderJs('greedy', ['mailer']));
    const svc = await startTestService({ pluginsDir, plugins: { greedy: { enabled: true, capabilities: ['mailer', 'fs'], out: '/dev/null' } } });
    expect(svc.service.isolates.pluginNames()).to.include('greedy');
    await svc.stop();
  });

  it('refuses a handler that injects a capability its manifest did not ask for', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(
      pluginsDir,
      'sneaky',
      'index.ts',
      `import { inject, injectable } from 'tsyringe';
import { definePlugin, type Mailer } from 'livehook';
@injectable()
class Handler { constructor(@inject('mailer') readonly mailer: Mailer) {} handle(): void {} }
export default definePlugin({ name: 'sneaky', version: '1.0.0', commands: '*', handler: Handler });`,
    );
    let error: Error | undefined;
    try {
      const svc = await startTestService({ pluginsDir, plugins: { sneaky: { enabled: true, capabilities: ['mailer'] } } });
      await svc.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain('sneaky').and.to.contain('mailer');
  });

  it('tells the author of a handler with constructor parameters but no @injectable() to add it', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(
      pluginsDir,
      'bare',
      'index.ts',
      `import { inject } from 'tsyringe';
import { definePlugin, type Logger } from 'livehook';
class Webhook { constructor(@inject('logger') readonly logger: Logger) {} handle(): void {} }
export default definePlugin({ name: 'bare', version: '1.0.0', commands: '*', handler: Webhook });`,
    );
    const result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ pluginsDir, plugins: { bare: { enabled: true } } }) });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('plugin "bare": its handler class Webhook has constructor parameters but no @injectable(): add @injectable() (from tsyringe) above the class');
  });

  it('shows a TypeScript syntax error in a plugin as the compiler\'s code frame, without the compiler\'s own stack', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'broken', 'index.ts', `import { definePlugin } from 'livehook';\nclass H { handle(): void { const x = ; } }\nexport default definePlugin({ name: 'broken', version: '1.0.0', commands: '*', handler: H });\n`);
    const result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ pluginsDir, plugins: { broken: { enabled: true } } }) });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('plugin "broken": ').and.to.contain('index.ts failed to load').and.to.contain('Expression expected');
    expect(result.stderr).to.match(/2 \| class H \{ handle\(\): void \{ const x = ; \} \}/);
    expect(result.stderr).not.to.match(/Caused by|Stack backtrace|_ZN/);
  });

  it('says a plugin module has no default export, and what it does export', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'named', 'index.ts', `import { definePlugin } from 'livehook';\nclass H { handle(): void {} }\nexport const manifest = definePlugin({ name: 'named', version: '1.0.0', commands: '*', handler: H });\n`);
    const result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ pluginsDir, plugins: { named: { enabled: true } } }) });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`plugin "named": ${path.join(fs.realpathSync(pluginsDir), 'named', 'index.ts')} has no default export (it exports "manifest"): export the manifest as its default`);
  });

  it('names the plugin file and the option when options fail the plugin schema', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'strict', 'index.ts', recorderTs('strict'));
    let error: Error | undefined;
    try {
      const svc = await startTestService({ pluginsDir, plugins: { strict: { enabled: true, capabilities: ['fs'], out: 42, typo: true } } });
      await svc.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(/strict\.json/).and.to.contain('out');
  });

  it('refuses a config file that enables a plugin that does not exist', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    fs.mkdirSync(path.join(pluginsDir, 'empty-folder'));
    let error: Error | undefined;
    try {
      const svc = await startTestService({ pluginsDir, plugins: { ghost: { enabled: true } } });
      await svc.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain('ghost');
  });

  it('skips a dangling symbolic link or a link loop in the plugins folder with a warning naming it, and serves', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'js-recorder', 'index.js', recorderJs('js-recorder'));
    fs.symlinkSync('/nonexistent/livehook-plugin', path.join(pluginsDir, 'dangling'));
    fs.symlinkSync(path.join(pluginsDir, 'loop-b'), path.join(pluginsDir, 'loop-a'));
    fs.symlinkSync(path.join(pluginsDir, 'loop-a'), path.join(pluginsDir, 'loop-b'));
    fs.mkdirSync(path.join(pluginsDir, 'broken-entry'));
    fs.symlinkSync('/nonexistent/index.js', path.join(pluginsDir, 'broken-entry', 'index.js'));
    const svc = await startTestService({ pluginsDir, plugins: { 'js-recorder': { enabled: true, capabilities: ['fs'], out }, dangling: { enabled: false } } });
    try {
      const warnings = svc.logs.filter((l) => l.level === 'warn').map((l) => String(l.msg));
      expect(warnings.find((w) => w.includes('"dangling"'))).to.contain(path.join(pluginsDir, 'dangling')).and.to.contain('/nonexistent/livehook-plugin').and.to.contain('does not exist');
      expect(warnings.find((w) => w.includes('"loop-a"'))).to.contain('loop of symbolic links');
      expect(warnings.find((w) => w.includes('"broken-entry"'))).to.contain(path.join(pluginsDir, 'broken-entry', 'index.js'));
      const res = await svc.post(fixture('destroy-room.seed-example.json'), QUERY);
      expect(res.status).to.equal(200);
      await svc.waitForIdle();
      expect(readRecords(out).map((r) => r.plugin)).to.include('js-recorder');
    } finally {
      await svc.stop();
    }
  });

  it('refuses to start, naming the entry, when the config enables a plugin whose folder is a dangling link', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    fs.symlinkSync('/nonexistent/livehook-plugin', path.join(pluginsDir, 'dangling'));
    let error: Error | undefined;
    try {
      const svc = await startTestService({ pluginsDir, plugins: { dangling: { enabled: true } } });
      await svc.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain('dangling.json').and.to.contain(path.join(pluginsDir, 'dangling')).and.to.contain('does not exist');
    expect(error?.message).not.to.contain('ENOENT');
  });
});
