/**
 * A plugin that a hot reload starts and that fails in init shows as failed
 * everywhere an operator looks: the reload's log line, /readyz, /metrics and
 * `livehook plugins`, each with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { livehookInProcess } from '../helpers/cli';
import { writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor, type TestService } from '../helpers/service';

/** Passes the check (options, grants, handler) but throws in init, as a plugin whose server is down would. */
const FAILS_IN_INIT = `
'use strict';
const Joi = require('joi');
class Handler { init() { throw new Error('upstream refused the connection'); } handle() {} }
module.exports = { name: 'flaky', version: '2.0.0', commands: '*', options: Joi.object({}), handler: Handler };
`;

/** Injects "mailer" without declaring it: its check fails, as `config check` refuses it. */
const UNDECLARED_TOKEN = `
'use strict';
const Joi = require('joi');
const { injectable, inject } = require('tsyringe');
class Handler { constructor(mailer) { this.mailer = mailer; } handle() {} }
inject('mailer')(Handler, undefined, 0);
injectable()(Handler);
module.exports = { name: 'sneaky', version: '0.0.1', commands: '*', options: Joi.object({}), handler: Handler };
`;

describe('hot reload: a plugin that fails to start is shown as failed', function () {
  this.timeout(60_000);
  let svc: TestService;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'flaky', 'index.js', FAILS_IN_INIT);
    writePlugin(pluginsDir, 'sneaky', 'index.js', UNDECLARED_TOKEN);
    svc = await startTestService({ pluginsDir, plugins: { flaky: { enabled: false }, sneaky: { enabled: false } } });
  });
  after(() => svc?.stop());

  it('in the reload log line (applied: false), /readyz (503), /metrics and `livehook plugins`, with the reason', async () => {
    expect((await svc.get('/readyz')).status).to.equal(200);
    fs.writeFileSync(path.join(svc.configDir, 'plugins', 'flaky.json'), JSON.stringify({ enabled: true }));
    await waitFor(() => svc.logs.some((l) => /config reloaded/.test(String(l.msg))), 10_000, 'the reload');

    const line = svc.logs.find((l) => /config reloaded/.test(String(l.msg)))!;
    expect(line.applied).to.equal(false);
    expect(line.started).to.deep.equal([]);
    expect(line.failed).to.deep.equal([{ plugin: 'flaky', reason: (line.failed as Array<{ reason: string }>)[0].reason }]);
    expect((line.failed as Array<{ reason: string }>)[0].reason).to.contain('upstream refused the connection');
    const initError = svc.logs.find((l) => l.level === 'error' && l.plugin === 'flaky');
    expect(initError, 'an error line for the plugin').to.include({ hook: 'init' });

    const ready = await svc.get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.reason).to.match(/plugin failed: flaky .*upstream refused the connection/);
    expect(String((await svc.get('/metrics')).body)).to.match(/livehook_plugin_up\{plugin="flaky"\} 0/);

    const listed = await livehookInProcess(['plugins'], { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir });
    expect(listed.code).to.equal(1);
    expect(listed.stdout).to.match(/flaky 2\.0\.0\s+enabled/).and.to.match(/failed on \S+ since .*upstream refused the connection/);
  });

  it('a plugin that fails its check rejects the reload: applied: false, naming plugin and token; `livehook plugins` shows the error', async () => {
    fs.writeFileSync(path.join(svc.configDir, 'plugins', 'sneaky.json'), JSON.stringify({ enabled: true }));
    await waitFor(() => svc.logs.some((l) => /config reload rejected/.test(String(l.msg))), 10_000, 'the rejection');
    const line = svc.logs.find((l) => /config reload rejected/.test(String(l.msg)))!;
    expect(line.applied).to.equal(false);
    expect(line.failed).to.deep.equal([{ plugin: 'sneaky', reason: 'plugin "sneaky": its handler needs "mailer", which it was not given: list "mailer" in the manifest\'s capabilities and grant it in config' }]);
    expect(svc.service.isolates.pluginNames()).not.to.include('sneaky');

    const listed = await livehookInProcess(['plugins'], { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir });
    expect(listed.code).to.equal(1);
    expect(listed.stdout).to.match(/sneaky\s+error: plugin "sneaky": its handler needs "mailer"/);
  });
});

/** Its init awaits a server that never answers. */
const HANGS_IN_INIT = `
'use strict';
const Joi = require('joi');
class Handler { init() { return new Promise(() => {}); } handle() {} }
module.exports = { name: 'hanging', version: '1.0.0', commands: '*', options: Joi.object({}), handler: Handler };
`;

/** Starts at once. */
const QUICK = `
'use strict';
const Joi = require('joi');
class Handler { handle() {} }
module.exports = { name: 'quick', version: '1.0.0', commands: '*', options: Joi.object({}), handler: Handler };
`;

describe('hot reload: a plugin whose init never settles', function () {
  this.timeout(60_000);

  it('is left starting in the background: neither its reload nor the next one waits out its startTimeoutMs', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'hanging', 'index.js', HANGS_IN_INIT);
    writePlugin(pluginsDir, 'quick', 'index.js', QUICK);
    const svc = await startTestService({ pluginsDir, plugins: { hanging: { enabled: false }, quick: { enabled: false } } });
    try {
      const reloads = () => svc.logs.filter((l) => /config reloaded/.test(String(l.msg)));
      const enabled = Date.now();
      fs.writeFileSync(path.join(svc.configDir, 'plugins', 'hanging.json'), JSON.stringify({ enabled: true }));
      await waitFor(() => reloads().length === 1, 30_000, 'the reload that enables the hanging plugin');
      expect(Date.now() - enabled, 'that reload took').to.be.below(30_000); // its startTimeoutMs is 60 s
      expect(reloads()[0]).to.deep.include({ applied: true, started: [], starting: ['hanging'] });
      expect(svc.service.isolates.get('hanging')!.state).to.equal('starting');

      // The next reload does not wait for it, nor start it again.
      const next = Date.now();
      fs.writeFileSync(path.join(svc.configDir, 'plugins', 'quick.json'), JSON.stringify({ enabled: true }));
      await waitFor(() => reloads().length === 2, 20_000, 'the next reload');
      expect(reloads()[1]).to.deep.include({ applied: true, started: ['quick'], starting: [] });
      expect(Date.now() - next, 'the next reload took').to.be.below(15_000);
    } finally {
      await svc.stop();
    }
  });
});
