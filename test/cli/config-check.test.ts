/**
 * `livehook config check` says OK only when `serve` would start: the handler
 * is resolved in a check isolate, and the plugins' own `check` hooks run.
 */
import fs from 'node:fs';
import path from 'node:path';
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

  it('email-alert with an EventType its commands never carry, listing the ones they do', async () => {
    const alertConfig = (options: Record<string, unknown>) => ({ enabled: true, capabilities: ['mailer', 'store'], ...options });
    const check = (options: Record<string, unknown>) =>
      livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ plugins: { 'email-alert': alertConfig(options) } }) });

    // A nested option a letter off: named with its path.
    const nested = await check({ storm: { maxAlert: 3 } });
    expect(nested.code).to.equal(1);
    expect(nested.stderr).to.contain('unknown option "storm.maxAlert" (plugin "email-alert" does not take it; did you mean "storm.maxAlerts"?)');

    const misspelt = await check({ eventTypes: ['DestroyedBySystem'] });
    expect(misspelt.code, misspelt.stderr).to.equal(1);
    expect(misspelt.stderr).to.contain(
      'plugin "email-alert" failed in check: option "eventTypes": "DestroyedBySystem" never arrives with Live.CallbackAfterDestroyRoom, so it would never raise an alert; the EventTypes that do: DestroyByUser, DestroyBySystem',
    );
    expect(misspelt.stdout).not.to.contain('config OK');

    // TUIRoomKit's destroy carries no EventType: a list never matches it, "*" does.
    const roomKit = await check({ commands: ['Live.CallbackAfterDestroyRoom', 'Room.CallbackAfterDestroyRoom'] });
    expect(roomKit.code, roomKit.stderr).to.equal(1);
    expect(roomKit.stderr).to.contain(
      'option "eventTypes": Room.CallbackAfterDestroyRoom may arrive without an EventType, and such a callback never matches ["DestroyBySystem"]; set "eventTypes": "*" to be alerted of every one, or remove it from "commands"',
    );
    const every = await check({ commands: ['Room.CallbackAfterDestroyRoom'], eventTypes: '*' });
    expect(every.code, every.stderr).to.equal(0);
    const createRoom = await check({ commands: ['Live.CallbackAfterCreateRoom'] });
    expect(createRoom.code).to.equal(1);
    expect(createRoom.stderr).to.contain('option "eventTypes": Live.CallbackAfterCreateRoom may arrive without an EventType');
    const starInList = await check({ eventTypes: ['*', 'DestroyBySystem'] });
    expect(starInList.code).to.equal(1);
    expect(starInList.stderr).to.contain('email-alert.json: eventTypes[0]: is "*", which means any EventType as the value itself, not as an item of a list: write "eventTypes": "*"');

    // Member-state callbacks carry free-text EventTypes, and a command livehook has no schema for may carry any.
    for (const commands of [['Live.CallbackAfterDestroyRoom', 'Live.CallbackAfterMemberStateChanged'], ['Live.CallbackAfterSomethingNew']]) {
      const open = await check({ commands, eventTypes: ['DestroyBySystem', 'MemberEnter'] });
      expect(open.code, `${commands.join(', ')}: ${open.stderr}`).to.equal(0);
      expect(open.stdout).to.contain('config OK');
    }
  });

  it('a command a letter or two off a known one, as a typo, naming the command it almost is', async () => {
    const configDir = writeConfigDir({ plugins: { 'email-alert': { enabled: true, capabilities: ['mailer', 'store'], commands: ['Live.CallbackAfterDestroyRooom'] } } });
    const result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: configDir });
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.match(/invalid configuration: \S+email-alert\.json: commands: "Live\.CallbackAfterDestroyRooom" is not a command livehook knows; did you mean "Live\.CallbackAfterDestroyRoom"\?/);

    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'gifts', 'index.js', DECIDES_MISSPELT);
    const decides = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ pluginsDir, plugins: { gifts: { enabled: true } } }) });
    expect(decides.code, decides.stderr).to.equal(1);
    expect(decides.stderr).to.contain('plugin "gifts": its manifest\'s decides: "live.callbackbeforesendgift" is not a command livehook knows; did you mean "Live.CallbackBeforeSendGift"?');
  });
});

describe('livehook config check on a config folder without livehook.json', function () {
  this.timeout(30_000);

  it('says every service setting is its default', async () => {
    const configDir = writeConfigDir();
    fs.rmSync(path.join(configDir, 'livehook.json'));
    const result = await livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: tempDir('livehook-data-') });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`warning: there is no livehook.json in ${configDir}: every service setting is its default or its environment variable`);
  });
});

describe('livehook config check and plugins.order', function () {
  this.timeout(30_000);

  it('refuses a name a letter or two off a plugin, and warns of one that is no plugin at all', async () => {
    const check = (order: string[]) => livehookInProcess(['config', 'check'], { LIVEHOOK_CONFIG_DIR: writeConfigDir({ config: { plugins: { order } } }) });
    const typo = await check(['logging', 'emailalert']);
    expect(typo.code, typo.stderr).to.equal(1);
    expect(typo.stderr).to.match(/invalid configuration: \S+livehook\.json: plugins\.order names "emailalert", which is no plugin; did you mean "email-alert"\?/);
    const gone = await check(['logging', 'old-webhook']);
    expect(gone.code, gone.stderr).to.equal(0);
    expect(gone.stdout + gone.stderr).to.match(/plugins\.order in \S+livehook\.json names "old-webhook", which is no plugin in \S+: ignored/);
  });
});

/** A deciding plugin whose manifest spells its command in the wrong case. */
const DECIDES_MISSPELT = `
'use strict';
const { injectable } = require('tsyringe');
class Handler { handle() {} decide() { return { verdict: 'allow' }; } }
injectable()(Handler);
module.exports = { name: 'gifts', version: '0.0.1', commands: ['Live.CallbackAfterDestroyRoom'], decides: ['live.callbackbeforesendgift'], handler: Handler };
`;
