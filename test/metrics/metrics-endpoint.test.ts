import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, waitFor, type TestService } from '../helpers/service';
import { recorderTs, writePlugin } from '../helpers/plugin-files';
import { signedQuery } from '../helpers/signing';
import { parseSamples, seriesOf, valueOf, type Sample } from './prom-text';
import { MAILING_PLUGIN } from './test-plugins';

const APP = '1400000001';
const CALLBACK_TOKEN = 'callback-secret';
const ADMIN_TOKEN = 'admin-secret';
const DESTROY = 'Live.CallbackAfterDestroyRoom';
const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };

function destroyBody(room: string): string {
  return fixture('destroy-room.seed-example.json').replace('"tandy-test-rest"', JSON.stringify(room));
}
function query(command = DESTROY, app = APP): Record<string, string> {
  return signedQuery(CALLBACK_TOKEN, { SdkAppid: app, CallbackCommand: command });
}
const labels = (command: string, outcome: string): string => JSON.stringify({ command, outcome });

async function scrape(svc: TestService): Promise<Sample[]> {
  const res = await svc.get('/metrics', ADMIN);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return parseSamples(res.body as string);
}

describe('GET /metrics after a known sequence of callbacks', () => {
  let svc: TestService;
  let outbox: string;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    outbox = tempDir('livehook-outbox-');
    writePlugin(pluginsDir, 'healthy', 'index.ts', recorderTs('healthy'));
    writePlugin(pluginsDir, 'broken', 'index.ts', recorderTs('broken', { commands: `['${DESTROY}']`, behaviour: "throw new Error('broken on purpose');" }));
    writePlugin(pluginsDir, 'stuck', 'index.ts', recorderTs('stuck', { commands: `['${DESTROY}']`, behaviour: "throw new Error('stuck until much later');" }));
    writePlugin(pluginsDir, 'mailing', 'index.ts', MAILING_PLUGIN);
    svc = await startTestService({
      pluginsDir,
      env: { LIVEHOOK_SDKAPPID: APP, LIVEHOOK_CALLBACK_TOKEN: CALLBACK_TOKEN, LIVEHOOK_ADMIN_TOKEN: ADMIN_TOKEN },
      config: { http: { bodyLimitBytes: 4096 }, mail: { outboxDir: outbox }, plugins: { order: ['healthy', 'broken', 'stuck', 'mailing'] } },
      plugins: {
        healthy: { enabled: true, capabilities: ['fs'], out },
        broken: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 20, capMs: 20, maxAttempts: 2 } },
        // Its first retry is due in ten minutes: each failed event stays a retrying (pending) delivery.
        stuck: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 600_000, capMs: 600_000, maxAttempts: 5 } },
        mailing: { enabled: true, capabilities: ['mailer'] },
      },
    });

    const answers: number[] = [];
    const send = async (body: string, q: Record<string, string>): Promise<void> => {
      answers.push((await svc.post(body, q)).status);
    };
    for (const room of ['m-1', 'm-2', 'm-3']) await send(destroyBody(room), query()); // 3 ok
    await send(destroyBody('m-1'), query()); // duplicate
    const noRoom = JSON.parse(destroyBody('x')) as Record<string, unknown>;
    delete noRoom.RoomId;
    await send(JSON.stringify(noRoom), query()); // invalid (schema)
    await send(destroyBody('m-4'), { ...query(), Sign: 'f'.repeat(64) }); // unauthorized
    await send(destroyBody('m-5'), query(DESTROY, '1499999999')); // forbidden
    await send(destroyBody('m-6').replace('{', `{"Padding":"${'x'.repeat(5000)}",`), query()); // too large
    await send('{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"r","EventTime":1703589922780}', query('Live.CallbackAfterSomethingNew')); // ok, unknown command
    await send('{"CallbackCommand":"Junk.Whatever",', query('Junk.Whatever')); // invalid (JSON), unknown command
    expect(answers).to.deep.equal([200, 200, 200, 200, 400, 401, 403, 413, 200, 400]);

    // Wait for the plugins: broken goes dead after its two attempts, the others finish or wait.
    await waitFor(async () => valueOf(await scrape(svc), 'livehook_deliveries_dead', { plugin: 'broken' }) === 3, 10_000, 'three dead deliveries of "broken"');
    await svc.waitForIdle();
  });
  after(() => svc?.stop());

  it('counts callbacks by command and outcome, unknown commands as "unknown"', async () => {
    expect(seriesOf(await scrape(svc), 'livehook_callbacks_total')).to.deep.equal({
      [labels(DESTROY, 'ok')]: 3,
      [labels(DESTROY, 'duplicate')]: 1,
      [labels(DESTROY, 'invalid')]: 1,
      [labels(DESTROY, 'unauthorized')]: 1,
      [labels(DESTROY, 'forbidden')]: 1,
      [labels(DESTROY, 'too_large')]: 1,
      [labels('unknown', 'ok')]: 1,
      [labels('unknown', 'invalid')]: 1,
    });
  });

  it('times every callback in the ingest histogram', async () => {
    const samples = await scrape(svc);
    expect(valueOf(samples, 'livehook_ingest_duration_seconds_count')).to.equal(10);
    expect(valueOf(samples, 'livehook_ingest_duration_seconds_bucket', { le: '+Inf' })).to.equal(10);
    const sum = valueOf(samples, 'livehook_ingest_duration_seconds_sum')!;
    expect(sum).to.be.greaterThan(0).and.below(10);
    // Buckets are cumulative and sized for milliseconds.
    const buckets = samples.filter((s) => s.name === 'livehook_ingest_duration_seconds_bucket').map((s) => s.value);
    expect(buckets).to.deep.equal([...buckets].sort((a, b) => a - b));
    expect(valueOf(samples, 'livehook_ingest_duration_seconds_bucket', { le: '0.001' })).to.not.equal(undefined);
  });

  it('shows dead and pending deliveries per plugin', async () => {
    const samples = await scrape(svc);
    expect(seriesOf(samples, 'livehook_deliveries_dead')).to.deep.equal({
      [JSON.stringify({ plugin: 'healthy' })]: 0,
      [JSON.stringify({ plugin: 'broken' })]: 3,
      [JSON.stringify({ plugin: 'stuck' })]: 0,
      [JSON.stringify({ plugin: 'mailing' })]: 0,
    });
    expect(seriesOf(samples, 'livehook_deliveries_pending')).to.deep.equal({
      [JSON.stringify({ plugin: 'healthy' })]: 0,
      [JSON.stringify({ plugin: 'broken' })]: 0,
      [JSON.stringify({ plugin: 'stuck' })]: 3,
      [JSON.stringify({ plugin: 'mailing' })]: 0,
    });
  });

  it('times each delivery attempt by plugin and outcome', async () => {
    const samples = await scrape(svc);
    const count = (plugin: string, outcome: string): number | undefined => valueOf(samples, 'livehook_plugin_run_seconds_count', { plugin, outcome });
    expect(count('healthy', 'done')).to.equal(4); // three rooms and the unknown command
    expect(count('broken', 'retry')).to.equal(3);
    expect(count('broken', 'dead')).to.equal(3);
    expect(count('stuck', 'retry')).to.equal(3);
    expect(count('mailing', 'done')).to.equal(3);
    expect(count('healthy', 'retry')).to.equal(undefined);
    expect(valueOf(samples, 'livehook_plugin_run_seconds_bucket', { plugin: 'broken', outcome: 'dead', le: '+Inf' })).to.equal(3);
  });

  it('counts mails written to the outbox', async () => {
    const samples = await scrape(svc);
    expect(seriesOf(samples, 'livehook_mails_total')).to.deep.equal({ [JSON.stringify({ transport: 'outbox', outcome: 'sent' })]: 3 });
  });

  it('includes the process metrics', async () => {
    const samples = await scrape(svc);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).to.be.greaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
  });

  it('asks for the admin token when one is set, like /reports', async () => {
    const none = await svc.get('/metrics');
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.match(/^Bearer/);
    expect(none.body.ErrorInfo).to.contain('LIVEHOOK_ADMIN_TOKEN');
    const wrong = await svc.get('/metrics', { Authorization: 'Bearer not-the-token' });
    expect(wrong.status).to.equal(401);
    expect(wrong.body.ErrorInfo).to.match(/wrong admin token/);
    const right = await svc.get('/metrics', ADMIN);
    expect(right.status).to.equal(200);
    expect(right.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    expect(right.body).to.match(/^# HELP livehook_callbacks_total /m);
  });

  it('keeps the series of two services in one process apart', async () => {
    const other = await startTestService({ onlyPlugins: ['logging'] });
    try {
      expect((await other.post(destroyBody('other-1'), { SdkAppid: APP })).status).to.equal(200);
      const mine = parseSamples((await other.get('/metrics')).body as string); // no admin token here: open
      expect(seriesOf(mine, 'livehook_callbacks_total')).to.deep.equal({ [labels(DESTROY, 'ok')]: 1 });
      expect(valueOf(await scrape(svc), 'livehook_callbacks_total', { command: DESTROY, outcome: 'ok' })).to.equal(3);
    } finally {
      await other.stop();
    }
  });
});

describe('GET /metrics while a plugin is behind', () => {
  let svc: TestService;
  let gate: string;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    gate = `${out}.open`;
    const badOutbox = path.join(tempDir(), 'a-file');
    fs.writeFileSync(badOutbox, 'not a folder');
    writePlugin(pluginsDir, 'gated', 'index.ts', recorderTs('gated', { commands: `['${DESTROY}']`, behaviour: "const fs = require('node:fs'); while (!fs.existsSync(this.options.out + '.open')) await new Promise((r) => setTimeout(r, 10));" }));
    writePlugin(pluginsDir, 'mailing', 'index.ts', MAILING_PLUGIN);
    svc = await startTestService({
      pluginsDir,
      config: { ingest: { maxPendingEvents: 3 }, mail: { outboxDir: badOutbox } },
      plugins: {
        gated: { enabled: true, capabilities: ['fs'], out, timeoutMs: 30_000 },
        mailing: { enabled: true, capabilities: ['mailer'], retry: { maxAttempts: 1 } },
      },
    });
  });
  after(() => svc?.stop());

  it('counts the events a plugin has not finished as pending, and a refused one as overloaded', async () => {
    for (const room of ['g-1', 'g-2', 'g-3']) expect((await svc.post(destroyBody(room), { SdkAppid: APP })).status).to.equal(200);
    expect((await svc.post(destroyBody('g-4'), { SdkAppid: APP })).status).to.equal(503);
    let samples = parseSamples((await svc.get('/metrics')).body as string);
    expect(valueOf(samples, 'livehook_deliveries_pending', { plugin: 'gated' })).to.equal(3);
    expect(valueOf(samples, 'livehook_callbacks_total', { command: DESTROY, outcome: 'overloaded' })).to.equal(1);

    fs.writeFileSync(gate, '');
    await svc.waitForIdle();
    samples = parseSamples((await svc.get('/metrics')).body as string);
    expect(valueOf(samples, 'livehook_deliveries_pending', { plugin: 'gated' })).to.equal(0);
    expect(valueOf(samples, 'livehook_plugin_run_seconds_count', { plugin: 'gated', outcome: 'done' })).to.equal(3);
  });

  it('counts mails that could not be sent', async () => {
    await waitFor(async () => valueOf(parseSamples((await svc.get('/metrics')).body as string), 'livehook_deliveries_dead', { plugin: 'mailing' }) === 3, 5000, 'three dead mails');
    const samples = parseSamples((await svc.get('/metrics')).body as string);
    expect(seriesOf(samples, 'livehook_mails_total')).to.deep.equal({ [JSON.stringify({ transport: 'outbox', outcome: 'failed' })]: 3 });
  });
});
