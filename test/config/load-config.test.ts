import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/load-config';
import { isLivehookError } from '../../src/errors';
import { startTestService, tempDir, writeConfigDir } from '../helpers/service';

function configDirWith(service: unknown, plugins: Record<string, unknown> = {}): string {
  const dir = tempDir('livehook-config-');
  fs.writeFileSync(path.join(dir, 'livehook.json'), typeof service === 'string' ? service : JSON.stringify(service));
  fs.mkdirSync(path.join(dir, 'plugins'));
  for (const [name, content] of Object.entries(plugins)) fs.writeFileSync(path.join(dir, 'plugins', `${name}.json`), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function loadError(configDir: string, env: Record<string, string> = {}): string {
  try {
    loadConfig({ configDir, env });
  } catch (err) {
    expect(isLivehookError(err) && err.code).to.equal('CONFIG_INVALID');
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('config loading', () => {
  it('works with an empty service file: every key has a default', () => {
    const config = loadConfig({ configDir: configDirWith({}), env: {} });
    expect(config.service.port).to.equal(8080);
    expect(config.service.http.bodyLimitBytes).to.equal(1024 * 1024);
    expect(config.service.auth.callbackToken).to.equal(null);
    expect(config.service.store.synchronous).to.equal('FULL');
    expect(config.service.retention.days).to.equal(90);
  });

  it('lets the environment variables of the contract override the files', () => {
    const dir = configDirWith({ port: 9000, auth: { sdkAppIds: ['1'] } }, { 'stats-rollup': { enabled: true, schedule: '5 0 * * *' } });
    const config = loadConfig({
      configDir: dir,
      env: {
        PORT: '9100',
        LIVEHOOK_DATA_DIR: '/tmp/lh-data',
        LIVEHOOK_SDKAPPID: '1400000001, 1400000002',
        LIVEHOOK_CALLBACK_TOKEN: 'tok',
        LIVEHOOK_ADMIN_TOKEN: 'admin-token-123',
        LIVEHOOK_SMTP_URL: 'smtp://user:pass@mail.example.com:587',
        LIVEHOOK_ALERT_TO: 'a@example.com,b@example.com',
        LIVEHOOK_TIMEZONE: 'Asia/Shanghai',
        LIVEHOOK_ROLLUP_SCHEDULE: '*/5 * * * * *',
        DATABASE_URL: 'postgres://u@127.0.0.1:5432/test',
      },
    });
    const s = config.service;
    expect(s.port).to.equal(9100);
    expect(s.dataDir).to.equal('/tmp/lh-data');
    expect(s.auth.sdkAppIds).to.deep.equal(['1400000001', '1400000002']);
    expect(s.auth.callbackToken).to.equal('tok');
    expect(s.auth.adminToken).to.equal('admin-token-123');
    expect(s.mail.smtpUrl).to.equal('smtp://user:pass@mail.example.com:587');
    expect(s.mail.alertTo).to.deep.equal(['a@example.com', 'b@example.com']);
    expect(s.timezone).to.equal('Asia/Shanghai');
    expect(s.store.databaseUrl).to.equal('postgres://u@127.0.0.1:5432/test');
    expect(config.plugins.get('stats-rollup')!.options.schedule).to.equal('*/5 * * * * *');
  });

  it('takes the public address from LIVEHOOK_PUBLIC_URL or publicUrl, without its trailing slash, and refuses one that is not a base http(s) address', () => {
    const dir = configDirWith({ publicUrl: 'https://reports.example.com/livehook/' });
    expect(loadConfig({ configDir: dir, env: {} }).service.publicUrl).to.equal('https://reports.example.com/livehook');
    expect(loadConfig({ configDir: dir, env: { LIVEHOOK_PUBLIC_URL: 'http://10.0.0.5:8080/' } }).service.publicUrl).to.equal('http://10.0.0.5:8080');
    expect(loadConfig({ configDir: configDirWith({}), env: {} }).service.publicUrl).to.equal(null);
    for (const bad of ['ftp://example.com', 'example.com', 'https://example.com/?token=1', 'https://example.com/#top']) {
      const message = loadError(configDirWith({}), { LIVEHOOK_PUBLIC_URL: bad });
      expect(message, bad).to.contain('LIVEHOOK_PUBLIC_URL').and.contain('publicUrl');
    }
    expect(loadError(configDirWith({ publicUrl: 'https://example.com/?a=b' }))).to.contain('must be a base address without a query or fragment');
  });

  it('names the file, the key and what is expected for a bad value, once each', () => {
    const message = loadError(configDirWith({ auth: { maxClockSkewSeconds: 'soon' } }));
    expect(message).to.match(/livehook\.json: auth\.maxClockSkewSeconds: must be a number$/);
    expect(loadError(configDirWith({ auth: { sdkAppIds: ['1400000001', '14x'] } }))).to.match(/auth\.sdkAppIds\[1\]: must be digits only .*, not "14x"$/);
    expect(loadError(configDirWith({ auth: { sdkAppIds: [1400000001] } }))).to.match(/auth\.sdkAppIds\[0\]: must be the SDKAppID in quotes, as a string \("1400000001"\)$/);
  });

  it('tells what to write in an empty file: {} in livehook.json, "enabled" in a plugin\'s', () => {
    expect(loadError(configDirWith(''))).to.match(/livehook\.json: is not valid JSON: the file is empty: write \{\} for every default$/);
    expect(loadError(configDirWith({}, { logging: '\n' }))).to.match(/logging\.json: is not valid JSON: the file is empty: write \{"enabled": true\} to run the plugin with its defaults \(with "capabilities": \[\.\.\.\] when it asks for some: its README lists them\), or \{"enabled": false\}$/);
    expect(() => loadConfig({ configDir: configDirWith({}, { logging: '{"enabled": true}' }), env: {} })).not.to.throw();
  });

  it('names an unknown key', () => {
    expect(loadError(configDirWith({ prot: 8080 }))).to.contain('livehook.json').and.to.contain('unknown key "prot"; did you mean "port"?');
    expect(loadError(configDirWith({ retension: { days: 30 } }))).to.match(/livehook\.json: retension: unknown key "retension"; did you mean "retention"\?$/);
    expect(loadError(configDirWith({ http: { bodyLimitByte: 1000 } }))).to.match(/livehook\.json: http\.bodyLimitByte: unknown key "http\.bodyLimitByte"; did you mean "http\.bodyLimitBytes"\?$/);
    expect(loadError(configDirWith({ zebra: 1 }))).to.match(/unknown key "zebra"$/);
    // JSON.parse keeps "__proto__" as a key, and joi let it through unseen.
    const dir = configDirWith({});
    fs.writeFileSync(path.join(dir, 'livehook.json'), '{"http": {"__proto__": {"bodyLimitBytes": 1}}}');
    expect(loadError(dir)).to.match(/livehook\.json: http\.__proto__: "__proto__" is not a key livehook reads: remove it$/);
  });

  it('refuses a token with white space or a control character at either end, saying which', () => {
    expect(loadError(configDirWith({}), { LIVEHOOK_CALLBACK_TOKEN: 'xxxxyyyy\r' })).to.contain('LIVEHOOK_CALLBACK_TOKEN').and.to.contain('auth.callbackToken: begins or ends with a carriage return');
    expect(loadError(configDirWith({ auth: { adminToken: ' admin-token-1' } }))).to.match(/livehook\.json: auth\.adminToken: begins or ends with a space: remove it/);
    expect(() => loadConfig({ configDir: configDirWith({}), env: { LIVEHOOK_CALLBACK_TOKEN: 'two words' } })).not.to.throw();
  });

  it('names the environment variable when the bad value came from it', () => {
    const message = loadError(configDirWith({}), { LIVEHOOK_TIMEZONE: 'Mars/Olympus' });
    expect(message).to.contain('LIVEHOOK_TIMEZONE').and.to.contain('Mars/Olympus').and.to.contain('IANA');
    expect(loadError(configDirWith({}), { PORT: 'eighty' })).to.contain('PORT');
  });

  it('refuses an empty or blank list from the environment instead of dropping the file\'s list', () => {
    // An empty sdkAppIds means "any SdkAppid": "," must not silently open the door the file closed.
    const dir = configDirWith({ auth: { sdkAppIds: ['1400000001'] } });
    for (const value of [',', ' ', ' , ,']) {
      const message = loadError(dir, { LIVEHOOK_SDKAPPID: value });
      expect(message, value).to.contain('LIVEHOOK_SDKAPPID').and.to.contain('no item');
    }
    expect(loadError(dir, { LIVEHOOK_ALERT_TO: ',' })).to.contain('LIVEHOOK_ALERT_TO');
    // Unset (or set to nothing at all) keeps the file's list.
    expect(loadConfig({ configDir: dir, env: { LIVEHOOK_SDKAPPID: '' } }).service.auth.sdkAppIds).to.deep.equal(['1400000001']);
  });

  it('names a file that is not valid JSON, or not an object', () => {
    expect(loadError(configDirWith('{"port": 80,'))).to.contain('livehook.json').and.to.contain('not valid JSON');
    // Where an editor shows it: line and column, and the line itself.
    const trailingComma = '{\n  "port": 8080,\n  "log": { "level": "info", },\n  "dataDir": "./data"\n}\n';
    expect(loadError(configDirWith(trailingComma))).to.match(/livehook\.json: is not valid JSON: a comma before "\}" at line 3, column 27 \("log": \{ "level": "info", \},\): JSON allows no comma after the last item$/);
    // JSON.parse keeps the last of two values silently: a config file may not name a key twice.
    expect(loadError(configDirWith('{\n  "port": 8080,\n  "log": { "level": "info", "level": "debug" }\n}'))).to.match(
      /livehook\.json: key "level" appears twice in one object, the second time at line 3, column 29 \("log": .*\): only the last would count; keep one$/,
    );
    // A byte order mark, as some editors save, is not a mistake.
    expect(loadConfig({ configDir: configDirWith('\uFEFF{"port": 9001}'), env: {} }).service.port).to.equal(9001);
    expect(loadError(configDirWith({}, { logging: '{\n  "enabled": true\n' }))).to.match(/logging\.json: is not valid JSON: the file ends after line 2, before the JSON does: is a closing "\}" or "\]" missing\?$/);
    expect(loadError(configDirWith({}, { logging: '[]' }))).to.contain('logging.json').and.to.contain('JSON object');
  });

  it('names every file with a problem at once, one a line, not only the first', () => {
    const message = loadError(configDirWith({ port: 'eighty' }, { logging: '{"enabled": true,', 'stats-rollup': { enabled: 'yes' } }));
    const lines = message.split('\n');
    expect(lines, message).to.have.length(3);
    // (files that cannot be read as JSON first, then the values of the others)
    expect(lines[0]).to.match(/^invalid configuration: .*logging\.json: is not valid JSON/);
    expect(lines[1]).to.match(/^invalid configuration: .*livehook\.json: port: must be a number$/);
    expect(lines[2]).to.match(/^invalid configuration: .*stats-rollup\.json: enabled: must be a boolean$/);
  });

  it('names a plugin file whose reserved keys are wrong', () => {
    expect(loadError(configDirWith({}, { logging: { enabled: 'yes please' } }))).to.contain('logging.json').and.to.contain('enabled');
    expect(loadError(configDirWith({}, { logging: { stdout: true } }))).to.contain('logging.json').and.to.contain('enabled').and.to.contain('required');
    expect(loadError(configDirWith({}, { logging: { enabled: true, capabilities: ['fs', 'htp'] } }))).to.match(/logging\.json: capabilities\[1\]: "htp" is not a capability: grant some of mailer, .*http, fs, net, child_process, worker_threads, env, inspector, addons$/);
    // A time-out past what a timer can wait would fire after 1 ms: every delivery would time out.
    expect(loadError(configDirWith({}, { logging: { enabled: true, timeoutMs: 2_147_483_648 } }))).to.match(/logging\.json: timeoutMs: must be at most 2147483647 ms \(about 24\.8 days, the longest a Node\.js timer waits\), not 2147483648$/);
    expect(loadError(configDirWith({}, { logging: { enabled: true, retry: { capMs: 3e9 } } }))).to.match(/logging\.json: retry\.capMs: must be at most 2147483647 ms/);
    expect(loadError(configDirWith({ delivery: { shutdownGraceMs: 3e9 } }))).to.match(/livehook\.json: delivery\.shutdownGraceMs: must be at most 2147483647 ms/);
    expect(loadConfig({ configDir: configDirWith({}, { logging: { enabled: true, timeoutMs: 2_147_483_647 } }), env: {} }).plugins.get('logging')!.timeoutMs).to.equal(2_147_483_647);
    // The tokens every plugin is given may be listed (no harm), but are not offered as grants.
    expect(loadConfig({ configDir: configDirWith({}, { logging: { enabled: true, capabilities: ['fs', 'logger'] } }), env: {} }).plugins.get('logging')!.capabilities).to.deep.equal(['fs', 'logger']);
  });

  it('says where the config folder should be when it is missing', () => {
    expect(loadError('/nonexistent/livehook-config')).to.contain('/nonexistent/livehook-config does not exist').and.to.contain('LIVEHOOK_CONFIG_DIR');
    const file = path.join(configDirWith({}), 'livehook.json');
    expect(loadError(file)).to.contain(`config folder ${file} is a file, not a folder`);
  });

  it('stops the service at start with the same message', async () => {
    let error: Error | undefined;
    try {
      const svc = await startTestService({ config: { http: { bodyLimitBytes: -5 } } });
      await svc.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain('livehook.json').and.to.contain('http.bodyLimitBytes');
  });

  it('says which setting to change when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const error = await startTestService({ onlyPlugins: ['logging'], env: { PORT: String(port) }, config: { host: '127.0.0.1' } }).then(
        async (svc) => {
          await svc.stop();
          return null;
        },
        (err: Error) => err,
      );
      expect(error?.message).to.equal(`cannot listen on 127.0.0.1:${port}: another process uses that port (set PORT, or "port" in config/livehook.json, to another one)`);
    } finally {
      blocker.close();
    }
  });

  it('has a default config in the repo that validates', () => {
    const config = loadConfig({ configDir: writeConfigDir(), env: {} });
    expect([...config.plugins.keys()].sort()).to.deep.equal(['email-alert', 'gift-guard', 'logging', 'stats-rollup']);
    // gift-guard answers gifts while Tencent waits: it is switched on on purpose, never by default
    for (const p of config.plugins.values()) expect(p.enabled, p.name).to.equal(p.name !== 'gift-guard');
  });
});
