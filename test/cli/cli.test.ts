import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { livehook, livehookInProcess } from '../helpers/cli';
import { REPO_ROOT, tempDir, writeConfigDir } from '../helpers/service';
import { recorderJs, writePlugin } from '../helpers/plugin-files';

describe('livehook command line', () => {
  it('`plugins` lists every plugin found with its state and the reason', () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'on', 'index.js', recorderJs('on'));
    writePlugin(pluginsDir, 'off', 'index.js', recorderJs('off'));
    writePlugin(pluginsDir, 'unconfigured', 'index.js', recorderJs('unconfigured'));
    writePlugin(pluginsDir, 'greedy', 'index.js', recorderJs('greedy', ['mailer']));
    fs.symlinkSync('/nonexistent/livehook-plugin', path.join(pluginsDir, 'dangling'));
    const configDir = writeConfigDir({ pluginsDir, plugins: { on: { enabled: true, capabilities: ['fs'], out: '/dev/null' }, off: { enabled: false }, greedy: { enabled: true, capabilities: ['fs'], out: '/dev/null' } } });
    const result = livehook(['plugins'], { LIVEHOOK_CONFIG_DIR: configDir });
    expect(result.stdout).to.match(/on 0\.0\.1\s+enabled\s+\(commands: .*; granted: fs; isolation: thread\)/);
    expect(result.stdout).to.match(/off\s+disabled: "enabled" is false in .*off\.json/);
    expect(result.stdout).to.match(/unconfigured\s+disabled: no config file/);
    expect(result.stdout).to.match(/greedy\s+error: .*"mailer"/);
    expect(result.stdout).to.match(/dangling\s+skipped: .*symbolic link to \/nonexistent\/livehook-plugin, which does not exist/);
    expect(result.code).to.equal(1); // a plugin in error
  });

  it('`plugins` on the default config shows the three built-ins enabled, and writes nothing', () => {
    const dataDir = path.join(tempDir(), 'data');
    const result = livehook(['plugins'], { LIVEHOOK_CONFIG_DIR: path.join(REPO_ROOT, 'config'), LIVEHOOK_PLUGINS_DIR: path.join(REPO_ROOT, 'plugins'), LIVEHOOK_DATA_DIR: dataDir });
    expect(result.code, result.stderr).to.equal(0);
    for (const name of ['logging', 'email-alert', 'stats-rollup']) expect(result.stdout).to.match(new RegExp(`${name} [\\d.]+\\s+enabled`));
    expect(fs.existsSync(dataDir), 'a data dir (and a SQLite file) made by a look').to.equal(false);
  });

  it('refuses a config folder that is not livehook\'s (started from src/, whose config/ is source code)', async () => {
    const result = await livehookInProcess(['plugins'], { LIVEHOOK_CONFIG_DIR: path.join(REPO_ROOT, 'src', 'config') });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('holds neither livehook.json nor plugins/').and.to.contain('LIVEHOOK_CONFIG_DIR');
  });

  it('`config check` passes a good config and exits non-zero with the reason for a bad one', async () => {
    const good = writeConfigDir();
    // The first as an operator runs it, the rest in this process (same entry, no start-up cost).
    let result = livehook(['config', 'check'], { LIVEHOOK_CONFIG_DIR: good });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('config OK');
    expect(result.stdout).to.contain('warning: no callback token: /callback accepts unsigned callbacks');
    const locked = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: good, LIVEHOOK_CALLBACK_TOKEN: 't', LIVEHOOK_SDKAPPID: '1400000001', LIVEHOOK_ADMIN_TOKEN: 'admin-token-1' });
    expect(locked.code, locked.stderr).to.equal(0);
    expect(locked.stdout).not.to.contain('warning:');

    fs.writeFileSync(path.join(good, 'plugins', 'email-alert.json'), JSON.stringify({ enabled: true, capabilities: ['mailer', 'store'], storm: { maxAlerts: -1 } }));
    result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: good });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('email-alert.json').and.to.contain('storm.maxAlerts');

    result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir(), LIVEHOOK_SDKAPPID: 'not-a-number' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('LIVEHOOK_SDKAPPID');

    const withDangling = tempDir('livehook-plugins-');
    fs.symlinkSync('/nonexistent/livehook-plugin', path.join(withDangling, 'dangling'));
    result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ pluginsDir: withDangling }) });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/warning: plugin "dangling": plugins dir entry skipped: .*dangling is a symbolic link to \/nonexistent\/livehook-plugin, which does not exist/);

    for (const blank of [',', ' ']) {
      result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ config: { auth: { sdkAppIds: ['1400000001'] } } }), LIVEHOOK_SDKAPPID: blank });
      expect(result.code, `LIVEHOOK_SDKAPPID=${JSON.stringify(blank)}`).to.equal(1);
      expect(result.stderr).to.contain('LIVEHOOK_SDKAPPID').and.to.contain('no item');
    }
  });

  it('explains its usage for an unknown command', async () => {
    const result = await livehookInProcess(['frobnicate'], {});
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('unknown command "frobnicate"').and.to.contain('usage: livehook');
  });
});
