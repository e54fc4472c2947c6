/**
 * A real `livehook serve` on PostgreSQL while the database goes away: its
 * connections cut again and again (what a restart or failover does), the
 * server refusing connections, and a network partition (a proxy that stops
 * passing bytes). The process must stay up, answer 503 with a FAIL envelope
 * while it cannot store, say "not ready", lose no callback it answered OK,
 * and take callbacks again by itself once the database is back.
 *
 * Each test's connections carry an application_name of their own, so cutting
 * them never touches another test's (or another engineer's) connections on
 * the shared server; the outages without cuts go through a TCP proxy.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { startChildService, type ChildService } from '../helpers/child-service';
import { createTestSchema, PG_TEST_URL, schemaUrl, type TestSchema } from '../helpers/pg-schema';
import { fixture, get, post, tempDir, waitFor, writeConfigDir, type PostResult } from '../helpers/service';
import { TcpProxy } from '../helpers/tcp-proxy';

const seed = fixture('destroy-room.seed-example.json');
const body = (room: string): string => seed.replace('"tandy-test-rest"', `"${room}"`);
const APP = { SdkAppid: '1400000001' };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('livehook serve on PostgreSQL when the database goes away', function () {
  this.timeout(120_000);
  let db: TestSchema;
  let service: ChildService | null = null;
  let proxy: TcpProxy | null = null;
  const dirs: string[] = [];

  beforeEach(async function () {
    db = await createTestSchema();
  });

  afterEach(async function () {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      const timer = setTimeout(() => service?.child.kill('SIGKILL'), 15_000);
      await service.kill('SIGTERM');
      clearTimeout(timer);
    }
    service = null;
    await proxy?.stop();
    proxy = null;
    await db.drop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(databaseUrl: string, config: Record<string, unknown> = {}): Promise<ChildService> {
    const configDir = writeConfigDir({ config });
    const dataDir = tempDir('livehook-outage-');
    dirs.push(configDir, dataDir);
    service = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir, LIVEHOOK_LOG_LEVEL: 'info', DATABASE_URL: databaseUrl });
    return service;
  }

  const alive = (s: ChildService): boolean => s.child.exitCode === null && s.child.signalCode === null;
  const crashReport = (s: ChildService): string => s.stderr.join('').split('\n').filter((l) => !l.startsWith('{') || /"level":(50|60)/.test(l)).slice(-15).join('\n');
  const storedRooms = async (): Promise<Set<string>> => new Set((await db.sql<{ room_id: string }>('SELECT room_id FROM events')).map((r) => r.room_id));

  /** Posts until one is answered 200 (the service took callbacks again by itself). */
  async function untilAccepted(url: string, prefix: string, timeoutMs: number): Promise<string> {
    let n = 0;
    let last: PostResult | Error | null = null;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const room = `${prefix}-${n++}`;
      last = await post(url, body(room), APP).catch((err: Error) => err);
      if (!(last instanceof Error) && last.status === 200) return room;
      await sleep(100);
    }
    throw new Error(`no callback was accepted within ${timeoutMs} ms; the last answer: ${last instanceof Error ? last.message : JSON.stringify(last?.body)}`);
  }

  it('stays up while every livehook connection is cut again and again under load, loses no OK, and takes callbacks again', async function () {
    // Its own application_name: only this service's connections are cut.
    const appName = `lh_cut_${db.schema}`;
    const s = await start(schemaUrl(db.schema, { application_name: appName }));

    const accepted: string[] = [];
    const refused: PostResult[] = [];
    const transportErrors: string[] = [];
    let sending = true;
    const lane = async (name: string): Promise<void> => {
      for (let i = 0; sending; i++) {
        const room = `cut-${name}-${i}`;
        try {
          const answer = await post(s.url, body(room), APP);
          if (answer.status === 200) accepted.push(room);
          else refused.push(answer);
        } catch (err) {
          transportErrors.push((err as Error).message);
        }
        await sleep(5);
      }
    };
    const lanes = ['a', 'b', 'c', 'd'].map(lane);

    let cuts = 0;
    for (let round = 0; round < 12; round++) {
      await sleep(100 + (round % 4) * 40);
      const rows = await db.sql<{ cut: boolean }>(
        'SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
        [appName],
      );
      cuts += rows.filter((r) => r.cut).length;
      expect(alive(s), `livehook died after cut round ${round}:\n${crashReport(s)}`).to.equal(true);
    }
    await sleep(300);
    sending = false;
    await Promise.all(lanes);

    expect(alive(s), `livehook died:\n${crashReport(s)}`).to.equal(true);
    expect(s.stderr.join('')).not.to.contain("Unhandled 'error' event");
    expect(cuts, 'connections cut').to.be.at.least(12);
    expect(transportErrors, 'requests that got no HTTP answer').to.deep.equal([]);
    // What was refused during the cuts was refused the way Tencent retries: a 5xx with a FAIL envelope.
    for (const answer of refused) {
      expect([500, 503]).to.include(answer.status);
      expect(answer.body).to.include({ ActionStatus: 'FAIL' });
      expect(answer.body.ErrorCode).to.be.a('number').and.not.equal(0);
    }
    expect((await get(s.url, '/healthz')).status).to.equal(200);

    // Back to normal by itself: new callbacks are accepted and the store is ready.
    const after = await untilAccepted(s.url, 'after-cuts', 10_000);
    const more = await Promise.all([1, 2, 3].map((i) => post(s.url, body(`after-cuts-more-${i}`), APP)));
    expect(more.map((r) => r.status)).to.deep.equal([200, 200, 200]);
    await waitFor(async () => (await get(s.url, '/readyz')).status === 200, 10_000, '/readyz to say ready');

    // Every callback answered OK is in the database.
    const stored = await storedRooms();
    const lost = [...accepted, after, 'after-cuts-more-1', 'after-cuts-more-2', 'after-cuts-more-3'].filter((room) => !stored.has(room));
    expect(lost, `callbacks answered 200 but not stored (of ${accepted.length} accepted during the cuts)`).to.deep.equal([]);
    expect(accepted.length, 'callbacks accepted during the cuts').to.be.greaterThan(10);
  });

  it('answers 503 with a FAIL envelope and says not ready while the database refuses connections, then recovers by itself', async function () {
    const target = new URL(PG_TEST_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const s = await start(proxy.route(db.url));
    expect((await post(s.url, body('before-outage'), APP)).status).to.equal(200);
    expect((await get(s.url, '/readyz')).status).to.equal(200);

    proxy.refuse();
    const during = await post(s.url, body('during-outage'), APP);
    expect(during.status, JSON.stringify(during.body)).to.equal(503);
    expect(during.body).to.include({ ActionStatus: 'FAIL' });
    expect(during.body.ErrorCode).to.equal(50304);
    expect(during.body.ErrorInfo).to.match(/database is unreachable/).and.to.contain('retry later');
    const ready = await get(s.url, '/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.reason).to.match(/store unreachable/);
    expect((await get(s.url, '/healthz')).status).to.equal(200);
    expect(alive(s)).to.equal(true);

    proxy.heal();
    const after = await untilAccepted(s.url, 'after-outage', 10_000);
    await waitFor(async () => (await get(s.url, '/readyz')).status === 200, 10_000, '/readyz to say ready again');
    const stored = await storedRooms();
    expect(stored.has('before-outage') && stored.has(after)).to.equal(true);
    expect(stored.has('during-outage'), 'the callback answered 503 was not stored').to.equal(false);
  });

  it("answers every callback before Tencent's 2 s during a network partition, and recovers when it heals", async function () {
    const target = new URL(PG_TEST_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const s = await start(proxy.route(db.url));
    expect((await post(s.url, body('before-partition'), APP)).status).to.equal(200);

    proxy.hang();
    // Callbacks a few hundred ms apart: the later ones queue behind the first one's hung commit,
    // which gives up only after its budget (1.5 s) and the client's grace (0.5 s).
    const timed = async (room: string, delayMs: number) => {
      await sleep(delayMs);
      const startedAt = Date.now();
      const answer = await post(s.url, body(room), APP);
      return { answer, tookMs: Date.now() - startedAt };
    };
    const during = await Promise.all([0, 300, 600, 900].map((delay, i) => timed(`during-partition-${i}`, delay)));
    for (const { answer, tookMs } of during) {
      expect(answer.status, JSON.stringify(answer.body)).to.equal(503);
      expect(answer.body).to.include({ ActionStatus: 'FAIL', ErrorCode: 50305 });
      expect(String(answer.body.ErrorInfo)).to.contain('the store did not confirm the write within 1800 ms');
      // ingest.answerTimeoutMs, 1.8 s from arrival, whatever the commit ahead of it does.
      expect(tookMs, 'time to answer during the partition').to.be.within(1700, 1990);
    }
    const ready = await get(s.url, '/readyz');
    expect(ready.status).to.equal(503);
    expect(alive(s)).to.equal(true);

    proxy.heal();
    await untilAccepted(s.url, 'after-partition', 15_000);
    await waitFor(async () => (await get(s.url, '/readyz')).status === 200, 15_000, '/readyz to say ready again');
  });
});
