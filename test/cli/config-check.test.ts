/**
 * `livehook config check` says OK only when `serve` would start: the handler
 * is resolved in a check isolate, and the plugins' own `check` hooks run.
 */
import { expect } from 'chai';
import { livehookInProcess } from '../helpers/cli';
import { writeConfigDir, tempDir } from '../helpers/service';
import { writePlugin } from '../helpers/plugin-files';

/** A plugin whose handler injects "mailer" without declaring it among its capabilities. */
const SNEAKY = `
'use strict';
const Joi = require('joi');
const { injectable, inject } = require('tsyringe');
class Handler { constructor(mailer) { this.mailer = mailer; } handle() {} }
inject('mailer')(Handler, undefined, 0);
injectable()(Handler);
module.exports = { name: 'sneaky', version: '0.0.1', commands: '*', capabilities: [], options: Joi.object({}), handler: Handler };
`;

describe('livehook config check refuses what serve would refuse', function () {
  this.timeout(30_000);

  it('a handler that injects a token its manifest does not declare, naming plugin and token', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'sneaky', 'index.js', SNEAKY);
    const configDir = writeConfigDir({ pluginsDir, plugins: { sneaky: { enabled: true } } });
    for (const args of [['config', 'check'], ['plugins']]) {
      const result = await livehookInProcess(args, { LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: tempDir('livehook-data-') });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(1);
      expect(result.stdout + result.stderr).to.match(/plugin "sneaky": its handler needs "mailer", which it was not given/);
      expect(result.stdout).not.to.contain('config OK');
    }
  });

  it('email-alert with an SMTP server and no recipients, naming the plugin and the option to set', async () => {
    const configDir = writeConfigDir();
    const result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.match(/plugin "email-alert" failed in check: no one to send alerts to: set LIVEHOOK_ALERT_TO/).and.to.contain('"to" in config/plugins/email-alert.json');
    expect(result.stdout).not.to.contain('config OK');

    const addressed = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_SMTP_URL: 'smtp://127.0.0.1:2525', LIVEHOOK_ALERT_TO: 'ops@example.com' });
    expect(addressed.code, addressed.stderr).to.equal(0);
    expect(addressed.stdout).to.contain('config OK');
    // Which config it read: the first line, on stderr.
    expect(addressed.stderr.split('\n')[0]).to.match(new RegExp(`^livehook: config ${configDir}; environment: LIVEHOOK_CONFIG_DIR, LIVEHOOK_SMTP_URL, LIVEHOOK_ALERT_TO, LIVEHOOK_TIMEZONE; store SQLite in \\S+; time zone UTC$`));
  });
});
