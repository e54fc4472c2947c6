import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, waitFor, type TestService } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

const seed = fixture('destroy-room.seed-example.json');
const body = (room: string): string => seed.replace('"tandy-test-rest"', JSON.stringify(room));
const handled = (file: string, plugin: string): string[] => readRecords(file).filter((r) => r.plugin === plugin && r.hook === 'handle').map((r) => r.event.roomId);

describe('hot reload of the config', () => {
  let svc: TestService;
  let out: string;
  let out2: string;
  let configFile: string;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    out = path.join(tempDir(), 'calls.jsonl');
    out2 = path.join(tempDir(), 'calls-2.jsonl');
    writePlugin(pluginsDir, 'switchable', 'index.ts', recorderTs('switchable'));
    writePlugin(pluginsDir, 'always', 'index.ts', recorderTs('always'));
    svc = await startTestService({ pluginsDir, plugins: { switchable: { enabled: true, capabilities: ['fs'], out }, always: { enabled: true, capabilities: ['fs'], out } } });
    configFile = path.join(svc.configDir, 'plugins', 'switchable.json');
  });
  after(() => svc.stop());

  const writeConfig = (content: unknown): void => fs.writeFileSync(configFile, typeof content === 'string' ? content : JSON.stringify(content));
  const reloaded = (n: number) => () => svc.logs.filter((l) => l.msg === 'config reloaded').length >= n;
  // A reload prepares the plugin in a check isolate, then stops and starts isolates (worker threads):
  // well under a second alone, several seconds when the suite runs files in parallel on a busy machine.
  const RELOAD_MS = 15_000;

  it('stops a plugin switched off in its file while the service runs', async () => {
    expect((await svc.post(body('before'))).status).to.equal(200);
    await svc.waitForIdle();
    writeConfig({ enabled: false, out });
    await waitFor(reloaded(1), RELOAD_MS, 'the reload');
    expect(svc.service.isolates.pluginNames()).to.deep.equal(['always']);
    expect((await svc.post(body('while-off'))).status).to.equal(200);
    await svc.waitForIdle();
    expect(handled(out, 'switchable')).to.deep.equal(['before']);
    expect(handled(out, 'always')).to.deep.equal(['before', 'while-off']);
  });

  it('starts it again when switched back on; it catches up on what it missed', async () => {
    writeConfig({ enabled: true, capabilities: ['fs'], out });
    await waitFor(reloaded(2), RELOAD_MS, 'the reload');
    await svc.waitForIdle();
    expect(handled(out, 'switchable')).to.deep.equal(['before', 'while-off']);
  });

  it('restarts a plugin with its new options', async () => {
    writeConfig({ enabled: true, capabilities: ['fs'], out: out2 });
    await waitFor(reloaded(3), RELOAD_MS, 'the reload');
    expect((await svc.post(body('after-change'))).status).to.equal(200);
    await svc.waitForIdle();
    expect(handled(out2, 'switchable')).to.deep.equal(['after-change']);
    expect(readRecords(out).filter((r) => r.plugin === 'switchable' && r.hook === 'close')).to.have.length(2);
  });

  it('rejects an invalid new config with a log line that says why, and keeps the running one', async () => {
    writeConfig('{ "enabled": true, "out": ');
    await waitFor(() => svc.logs.some((l) => /config reload rejected/.test(String(l.msg))), RELOAD_MS, 'the rejection');
    writeConfig({ enabled: true, capabilities: ['fs'], out: out2, sleepMs: 'soon' });
    await waitFor(() => svc.logs.filter((l) => /config reload rejected/.test(String(l.msg))).length >= 2, RELOAD_MS, 'the second rejection');
    const rejections = svc.logs.filter((l) => /config reload rejected/.test(String(l.msg)));
    expect(String(rejections[0].msg)).to.contain('switchable.json').and.to.contain('not valid JSON');
    expect(String(rejections[1].msg)).to.contain('switchable.json').and.to.contain('sleepMs');
    expect((await svc.post(body('still-running'))).status).to.equal(200);
    await svc.waitForIdle();
    expect(handled(out2, 'switchable')).to.include('still-running');
  });

  it('reloads on SIGHUP', async () => {
    fs.writeFileSync(configFile, JSON.stringify({ enabled: false, out: out2 }));
    // SIGHUP may well beat the file watcher; either way the plugin must stop.
    process.kill(process.pid, 'SIGHUP');
    await waitFor(() => svc.logs.some((l) => l.msg === 'config reloaded' && l.reason === 'SIGHUP'), RELOAD_MS, 'the SIGHUP reload');
    await waitFor(() => !svc.service.isolates.pluginNames().includes('switchable'), RELOAD_MS, 'the plugin to stop');
  });

  it('says a service setting takes effect at the next restart while it differs from the running one, and no longer once put back', async () => {
    const serviceFile = path.join(svc.configDir, 'livehook.json');
    const original = fs.readFileSync(serviceFile, 'utf8');
    const restartLines = () => svc.logs.filter((l) => /take effect at the next restart/.test(String(l.msg)));
    const reloads = () => svc.logs.filter((l) => String(l.msg).startsWith('config reloaded')).length;
    try {
      let before = reloads();
      fs.writeFileSync(serviceFile, JSON.stringify({ ...JSON.parse(original), retention: { days: 3 } }));
      await waitFor(() => reloads() > before, RELOAD_MS, 'the reload of the changed setting');
      expect(restartLines().map((l) => l.msg)).to.deep.equal(['config reload: retention changed; these take effect at the next restart']);

      before = reloads();
      fs.writeFileSync(serviceFile, original);
      await waitFor(() => reloads() > before, RELOAD_MS, 'the reload of the setting put back');
      expect(restartLines()).to.have.length(1);

      // A default written out (it comes first in its object): no change either.
      before = reloads();
      fs.writeFileSync(serviceFile, JSON.stringify({ ...JSON.parse(original), delivery: { ...JSON.parse(original).delivery, leaseMs: 15_000 } }));
      await waitFor(() => reloads() > before, RELOAD_MS, 'the reload of a default written out');
      expect(restartLines()).to.have.length(1);
    } finally {
      fs.writeFileSync(serviceFile, original);
    }
  });
});
