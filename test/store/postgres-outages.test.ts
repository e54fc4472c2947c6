/**
 * The PostgreSQL store while the database fails it: a connection cut while
 * checked out (what a restart, a failover or pg_terminate_backend does) fails
 * that operation and never the process, and every wait has an end, on the
 * server (statement_timeout) and on the client (a network that passes
 * nothing). Outages are STORE_UNAVAILABLE (503: Tencent retries).
 *
 * To catch a connection while it is checked out, another session holds a
 * lock the operation needs, and the test acts once the store's connection
 * waits for it. Each store's connections carry an application_name of their
 * own, so a cut never touches another test's.
 */
import { expect } from 'chai';
import { Client } from 'pg';
import { lockKeysFor } from '../../src/store/postgres/lock-keys';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store';
import { createTestSchema, PG_TEST_URL, schemaUrl, type TestSchema } from '../helpers/pg-schema';
import { waitFor } from '../helpers/service';
import { TcpProxy } from '../helpers/tcp-proxy';
import { makeEvent } from './make-event';
import { expectRejection } from './store-conformance';

describe('PostgresStore when the database fails it', function () {
  this.timeout(30_000);
  let db: TestSchema;
  let appName: string;
  let url: string;
  const opened: PostgresStore[] = [];
  const held: Client[] = [];
  let proxy: TcpProxy | null = null;

  beforeEach(async function () {
    db = await createTestSchema();
    appName = `lh_out_${db.schema}`;
    url = schemaUrl(db.schema, { application_name: appName });
  });

  afterEach(async function () {
    for (const client of held.splice(0)) await client.end().catch(() => undefined);
    await proxy?.stop();
    proxy = null;
    for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    await db.drop();
  });

  async function open(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
    const store = new PostgresStore({ connectionString: url, ...options });
    opened.push(store);
    await store.open();
    return store;
  }

  /** Another session that takes a lock (in an open transaction) and keeps it until the test ends. */
  async function holdLock(sql: string, values: unknown[] = []): Promise<void> {
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    held.push(client);
    await client.query('BEGIN');
    await client.query(sql, values);
  }

  const waitingForLock = () =>
    waitFor(
      async () => (await db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [appName])).length > 0,
      5000,
      "the store's connection to wait for the lock",
    );

  async function cutStoreConnections(): Promise<void> {
    const rows = await db.sql<{ cut: boolean }>(
      'SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [appName],
    );
    expect(rows.filter((r) => r.cut).length, 'connections cut').to.be.at.least(1);
  }

  async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
    const start = Date.now();
    const result = await work();
    return { ms: Date.now() - start, result };
  }

  describe('a connection cut while checked out', function () {
    it('fails the group commit that held it with STORE_UNAVAILABLE, and the next commit succeeds', async function () {
      const store = await open();
      await holdLock('SELECT pg_advisory_xact_lock($1::bigint)', [lockKeysFor(db.schema).append]);
      const failed = expectRejection(store.append(makeEvent()), 'STORE_UNAVAILABLE');
      await waitingForLock();
      await cutStoreConnections();
      const err = await failed;
      expect(err.message).to.contain('the database is unreachable').and.contain('commit 1 event(s)').and.contain('57P01').and.contain('retry later');
      expect((err as unknown as { status: number }).status).to.equal(503);

      for (const client of held.splice(0)) await client.end();
      const next = makeEvent();
      await store.append(next);
      expect((await store.readEvents(0, 10)).map((e) => e.event.id)).to.deep.equal([next.id]);
    });

    it('fails the prune that held it with STORE_UNAVAILABLE, and the next prune runs', async function () {
      const store = await open();
      await store.append(makeEvent());
      await store.setCursor('logging', 0);
      // The chunk reads the listed plugins' cursors FOR SHARE: it waits for this row lock.
      await holdLock("SELECT seq FROM plugin_cursors WHERE plugin = 'logging' FOR UPDATE");
      const failed = expectRejection(store.prune(Date.now(), ['logging']), 'STORE_UNAVAILABLE');
      await waitingForLock();
      await cutStoreConnections();
      const err = await failed;
      expect(err.message).to.contain('prune events received before');

      for (const client of held.splice(0)) await client.end();
      await store.setCursor('logging', 10);
      expect(await store.prune(Date.now(), ['logging'])).to.deep.equal({ events: 1, deliveries: 0, quarantine: 0 });
    });

    it('fails open() while it waits for another instance to migrate, with a message and not the process', async function () {
      await holdLock('SELECT pg_advisory_xact_lock($1::bigint)', [lockKeysFor(db.schema).migrate]);
      const store = new PostgresStore({ connectionString: url });
      opened.push(store);
      const failed = expectRejection(store.open(), 'STORE_FAILED');
      await waitingForLock();
      await cutStoreConnections();
      const err = await failed;
      expect(err.message).to.contain('cannot open the store').and.contain('57P01');
    });
  });

  describe('time-outs on the server', function () {
    it('ends a statement held up longer than statementTimeoutMs', async function () {
      const store = await open({ timeouts: { statementTimeoutMs: 300 } });
      await store.acquireLease('plugin:x', 'a', 60_000);
      await holdLock("SELECT owner FROM leases WHERE name = 'plugin:x' FOR UPDATE");
      const { ms, result: err } = await elapsed(() => expectRejection(store.acquireLease('plugin:x', 'b', 60_000), 'STORE_UNAVAILABLE'));
      expect(err.message).to.contain('the database did not answer in time').and.contain('statement timeout').and.contain('take the lease plugin:x');
      expect(ms).to.be.within(250, 2000);
    });

    it('ends a group commit held up longer than commitTimeoutMs (the wait for the append lock included)', async function () {
      const store = await open({ timeouts: { commitTimeoutMs: 300 } });
      await holdLock('SELECT pg_advisory_xact_lock($1::bigint)', [lockKeysFor(db.schema).append]);
      const { ms, result: err } = await elapsed(() => expectRejection(store.append(makeEvent()), 'STORE_UNAVAILABLE'));
      expect(err.message).to.contain('statement timeout');
      expect(ms).to.be.within(250, 2000);
    });

    it('ends a prune chunk held up longer than pruneTimeoutMs', async function () {
      const store = await open({ timeouts: { pruneTimeoutMs: 300 } });
      await store.append(makeEvent());
      await store.setCursor('logging', 0);
      await holdLock("SELECT seq FROM plugin_cursors WHERE plugin = 'logging' FOR UPDATE");
      const { ms, result: err } = await elapsed(() => expectRejection(store.prune(Date.now(), ['logging']), 'STORE_UNAVAILABLE'));
      expect(err.message).to.contain('statement timeout');
      expect(ms).to.be.within(250, 2000);
    });
  });

  describe('a network that passes nothing (partition)', function () {
    beforeEach(async function () {
      const target = new URL(PG_TEST_URL);
      proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    });

    it('gives up a statement on the client soon after statementTimeoutMs, and works again once the network heals', async function () {
      const store = await open({ connectionString: proxy!.route(url), timeouts: { statementTimeoutMs: 300 } });
      await store.ping();
      proxy!.hang();
      const { ms, result: err } = await elapsed(() => expectRejection(store.latestSeq(), 'STORE_UNAVAILABLE'));
      expect(err.message).to.contain('the database did not answer in time');
      // 300 ms, then 500 ms of grace for the server's own answer, which cannot come.
      expect(ms).to.be.within(700, 2500);
      proxy!.heal();
      expect(await store.latestSeq()).to.equal(0);
    });

    it('gives up a group commit on the client within its budget, the wait for a connection included', async function () {
      const store = await open({ connectionString: proxy!.route(url), timeouts: { commitTimeoutMs: 300, connectTimeoutMs: 5000 } });
      await store.append(makeEvent());
      proxy!.hang();
      const { ms, result: err } = await elapsed(() => expectRejection(store.append(makeEvent()), 'STORE_UNAVAILABLE'));
      expect(err.message).to.contain('the database did not answer in time');
      expect(ms).to.be.within(700, 2500);
      proxy!.heal();
      const { seq } = await store.append(makeEvent());
      expect(seq).to.be.greaterThan(1);
    });
  });
});
