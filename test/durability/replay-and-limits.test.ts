import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { run } from '../../src/cli/main';
import { fixture, startTestService, tempDir, waitFor, type TestService } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

const seed = fixture('destroy-room.seed-example.json');
const body = (room: string): string => seed.replace('"tandy-test-rest"', JSON.stringify(room));

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write: (c, _e, done) => (append(c.toString()), done()) });
  const code = await run(args, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), isTTY: false, env });
  return { code, out, err };
}

describe('livehook replay', () => {
  let svc: TestService;
  let out: string;
  let env: Record<string, string>;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    out = path.join(tempDir(), 'calls.jsonl');
    // Fails while a switch file exists: the "bug" an operator fixes before replaying.
    writePlugin(pluginsDir, 'picky', 'index.ts', recorderTs('picky', { behaviour: "if (require('node:fs').existsSync(this.options.out + '.broken')) throw new Error('picky is broken');" }));
    writePlugin(pluginsDir, 'steady', 'index.ts', recorderTs('steady'));
    fs.writeFileSync(`${out}.broken`, '');
    svc = await startTestService({
      pluginsDir,
      plugins: { picky: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 20, capMs: 20, maxAttempts: 2 } }, steady: { enabled: true, capabilities: ['fs'], out } },
    });
    env = { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir };
  });
  after(() => svc.stop());

  it('re-runs dead deliveries of one plugin after the fix, and says how many', async () => {
    for (const room of ['r1', 'r2', 'r3']) expect((await svc.post(body(room))).status).to.equal(200);
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'picky', status: 'dead' })).length === 3, 5000, 'three dead deliveries');

    fs.rmSync(`${out}.broken`); // the fix
    const result = await cli(['replay', '--plugin', 'picky'], env);
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('dead deliveries requeued for picky: 3');

    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'picky' })).length === 0, 5000, 'the replayed deliveries to finish');
    const done = readRecords(out).filter((r) => r.plugin === 'picky' && r.hook === 'handle' && r.delivery.attempt === 1 && r.event.roomId === 'r1');
    expect(done.length).to.be.at.least(2); // the first try, and the replay starting again at attempt 1
    // the other plugin ran each event exactly once
    expect(readRecords(out).filter((r) => r.plugin === 'steady' && r.hook === 'handle')).to.have.length(3);
  });

  it('says when requeued deliveries belong to a plugin that is not enabled, and so wait for it', async () => {
    fs.writeFileSync(`${out}.broken`, '');
    expect((await svc.post(body('r4'))).status).to.equal(200);
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'picky', status: 'dead' })).length === 1, 5000, 'a dead delivery');
    // The operator's config, where picky has since been switched off.
    const configDir = tempDir('livehook-config-');
    fs.cpSync(svc.configDir, configDir, { recursive: true });
    const pickyFile = path.join(configDir, 'plugins', 'picky.json');
    fs.writeFileSync(pickyFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(pickyFile, 'utf8')), enabled: false }));
    fs.rmSync(`${out}.broken`);

    const result = await cli(['replay', '--dead-only'], { ...env, LIVEHOOK_CONFIG_DIR: configDir });
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('dead deliveries requeued: 1');
    expect(result.out).to.match(/warning: 1 of them belong to plugin "picky", which is not enabled \(.*picky\.json\): they run once it is enabled again/);
    expect(result.out).not.to.contain('"steady"');
    await waitFor(async () => (await svc.service.store.listDeliveries({ plugin: 'picky' })).length === 0, 5000, 'the running service, where picky is on, to deliver it');
  });

  it('re-validates quarantined bodies: stores the ones that now pass, keeps the rest with the reason', async () => {
    const bad = await svc.post(seed.replace('1703589922780', '1703589922'), { SdkAppid: '1400000001' }); // seconds, not ms
    expect(bad.status).to.equal(400);
    // A body an older livehook refused, which today's schemas accept.
    await svc.service.store.quarantine({ receivedAt: Date.now(), sdkAppId: '1400000001', command: 'Live.CallbackAfterDestroyRoom', raw: body('from-quarantine'), query: { SdkAppid: '1400000001' }, reason: 'old schema' });

    const result = await cli(['replay', '--quarantine-only'], env);
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('1 now valid and stored').and.to.contain('1 still invalid');

    await waitFor(() => readRecords(out).some((r) => r.plugin === 'steady' && r.event?.roomId === 'from-quarantine'), 5000, 'the replayed body to reach plugins');
    const held = await svc.service.store.listQuarantine('held');
    expect(held).to.have.length(1);
    expect(held[0].reason).to.contain('EventTime');
    expect((await svc.service.store.listQuarantine('replayed')).map((q) => q.note)).to.have.length(1);
  });

  it('says what is wrong with a bad option', async () => {
    const result = await cli(['replay', '--nope'], env);
    expect(result.code).to.not.equal(0);
    expect(result.err).to.contain('nope');
  });
});

describe('backpressure', () => {
  it('answers 503 with a FAIL envelope once plugins are the configured number of events behind', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'stuck', 'index.ts', recorderTs('stuck', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const svc = await startTestService({ pluginsDir, config: { ingest: { maxPendingEvents: 3 }, delivery: { shutdownGraceMs: 100 } }, plugins: { stuck: { enabled: true, capabilities: ['fs'], out, sleepMs: 1500, timeoutMs: 5000 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await svc.post(body(`bp-${i}`))).status);
      expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
      const refused = await svc.post(body('bp-late'));
      expect(refused.status).to.equal(503);
      expect(refused.body.ActionStatus).to.equal('FAIL');
      expect(refused.body.ErrorInfo).to.match(/behind/);
      // Nothing refused was stored; everything accepted was.
      const stored = (await svc.service.store.readEvents(0, 100)).map((e) => e.event.roomId);
      expect(stored).to.not.include('bp-late');
      expect(stored.length).to.equal(statuses.filter((s) => s === 200).length);
    } finally {
      await svc.stop();
    }
  });
});
