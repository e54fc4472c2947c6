import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Client } from 'pg';
import { createLogger } from '../../src/log/logger';
import { toEventColumns } from '../../src/store/event-columns';
import { openStore } from '../../src/store/open-store';
import { lockKeysFor } from '../../src/store/postgres/lock-keys';
import { migratePg } from '../../src/store/postgres/migrate';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store';
import { createTestSchema, schemaUrl, type TestSchema } from '../helpers/pg-schema';
import { makeEvent } from './make-event';
import { describeStoreConformance, expectRejection } from './store-conformance';

describeStoreConformance('postgres', async () => {
  const db = await createTestSchema();
  // A tiny page size, so the conformance scan crosses many page boundaries.
  const store = new PostgresStore({ connectionString: db.url, recordsPageSize: 7 });
  await store.open();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
});

describe('PostgresStore', function () {
  this.timeout(30_000);
  let db: TestSchema;
  const opened: PostgresStore[] = [];

  async function open(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
    const store = new PostgresStore({ connectionString: db.url, ...options });
    opened.push(store);
    await store.open();
    return store;
  }

  beforeEach(async function () {
    db = await createTestSchema();
  });

  afterEach(async function () {
    for (const store of opened.splice(0)) await store.close();
    await db.drop();
  });

  describe('openStore()', function () {
    it('opens PostgreSQL when databaseUrl is set, in the schema its search_path names', async function () {
      const store = await openStore({ dataDir: '/nonexistent/never-created', databaseUrl: db.url });
      try {
        expect(store.engine).to.equal('postgres');
        expect((store as PostgresStore).settings()).to.deep.equal({
          target: 'postgres@127.0.0.1:5432/test',
          schema: db.schema,
          schemaVersion: PG_MIGRATIONS.length,
          poolSize: 10,
          maxBatch: 1000,
          timeouts: { connectTimeoutMs: 2000, statementTimeoutMs: 5000, commitTimeoutMs: 1500, pruneTimeoutMs: 30_000, idleInTransactionTimeoutMs: 10_000 },
        });
        const { seq } = await store.append(makeEvent({ roomId: 'in-its-schema' }));
        const rows = await db.sql<{ room_id: string }>('SELECT room_id FROM events WHERE seq = $1', [seq]);
        expect(rows).to.deep.equal([{ room_id: 'in-its-schema' }]);
      } finally {
        await store.close();
      }
    });
  });

  describe('quarantine', function () {
    it('keeps a body with NUL characters (which PostgreSQL text cannot hold) with each NUL as the text \\u0000, and says so', async function () {
      const store = await open();
      const raw = '{"RoomId":"a\u0000b"}';
      await store.quarantine({ receivedAt: 1, sdkAppId: '1400000001', command: null, raw, query: { SdkAppid: '1400000001' }, reason: 'malformed JSON' });
      const [kept] = await store.listQuarantine('held');
      expect(kept!.raw).to.equal('{"RoomId":"a\\u0000b"}');
      expect(kept!.reason).to.equal('malformed JSON (the body held NUL characters, kept here as the text \\u0000)');
    });
  });

  describe('text PostgreSQL cannot hold as it is', function () {
    it('stores a value holding NUL, or starting with a double quote, as a JSON string literal; any other as it is', async function () {
      const store = await open();
      await store.append(makeEvent({ id: 'nul', roomId: 'a\u0000b', operator: '"admin"' }));
      await store.append(makeEvent({ id: 'plain', roomId: 'a\\u0000b "x"', operator: 'admin' }));
      const rows = await db.sql<{ id: string; room_id: string; operator_account: string; body: string }>('SELECT id, room_id, operator_account, body FROM events ORDER BY seq');
      expect(rows.map((r) => [r.id, r.room_id, r.operator_account])).to.deep.equal([
        ['nul', '"a\\u0000b"', '"\\"admin\\""'],
        ['plain', 'a\\u0000b "x"', 'admin'],
      ]);
      // body and query are JSON text: JSON.stringify already writes NUL as \u0000.
      expect(JSON.parse(rows[0]!.body).RoomId).to.equal('a\u0000b');
    });

    it('brings rows written before (schema version 1) in line: read back unchanged, and a resend is still a duplicate', async function () {
      // A schema at version 1, with rows as livehook wrote them then.
      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        await migratePg(client, PG_MIGRATIONS.slice(0, 1), { where: db.schema, lockKey: lockKeysFor(db.schema).migrate, describe: String });
      } finally {
        await client.end();
      }
      // The id tests that to_json writes what JSON.stringify writes (else a resend would not meet it).
      const legacy = makeEvent({ id: '"id"\t\u0001\\ \u2028 é', roomId: '"quoted"', operator: '"', eventType: '"DestroyBySystem"' });
      const ordinary = makeEvent();
      for (const event of [legacy, ordinary]) {
        const c = toEventColumns(event);
        await db.sql(
          `INSERT INTO events (id, command, known, sdk_app_id, room_id, event_type, event_time, operator_account, received_at, body, raw, query)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [c.id, c.command, c.known, c.sdk_app_id, c.room_id, c.event_type, c.event_time, c.operator_account, c.received_at, c.body, c.raw, c.query],
        );
      }
      await db.sql("INSERT INTO deliveries SELECT 'p', seq, id, 'dead', 3, NULL, 'e', 0 FROM events");

      const store = await open();
      expect(store.settings().schemaVersion).to.equal(PG_MIGRATIONS.length);
      expect((await store.readEvents(0, 10)).map((s) => s.event)).to.deep.equal([legacy, ordinary]);
      expect((await store.listDeliveries()).map((d) => d.eventId)).to.deep.equal([legacy.id, ordinary.id]);
      expect(await store.append(structuredClone(legacy))).to.deep.equal({ seq: 1, duplicate: true });
      expect(await store.latestSeq()).to.equal(2);
    });
  });

  describe('durability of the server', function () {
    const warningsOpening = async (connectionString: string): Promise<string[]> => {
      const lines: Array<{ level: string; msg: string }> = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
          done();
        },
      });
      await open({ connectionString, logger: createLogger('info', sink) });
      return lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    };

    it('warns at open when the server runs with synchronous_commit = off, since OK then does not mean on disk', async function () {
      const said = await warningsOpening(schemaUrl(db.schema, { options: `-c search_path=${db.schema} -c synchronous_commit=off` }));
      expect(said).to.have.length(1);
      expect(said[0]).to.contain('synchronous_commit = off: a callback answered OK can be lost');
    });

    it('says nothing with the default (on)', async function () {
      expect(await warningsOpening(db.url)).to.deep.equal([]);
    });
  });

  describe('connection problems', function () {
    it('names the server, not the password, when it cannot connect', async function () {
      const store = new PostgresStore({ connectionString: 'postgres://livehook:s3cret-pw@127.0.0.1:1/livehook' });
      const err = await expectRejection(store.open(), 'STORE_FAILED');
      expect(err.message).to.contain('livehook@127.0.0.1:1/livehook').and.contain('ECONNREFUSED');
      expect(err.message).not.to.contain('s3cret-pw');
      expect(JSON.stringify((err as unknown as { details: unknown }).details)).not.to.contain('s3cret-pw');
    });

    it('names the database when it does not exist', async function () {
      const url = new URL(db.url);
      url.password = 'not-needed-but-secret';
      url.pathname = '/no_such_database_here';
      const err = await expectRejection(new PostgresStore({ connectionString: url.toString() }).open(), 'STORE_FAILED');
      expect(err.message).to.contain('postgres@127.0.0.1:5432/no_such_database_here').and.contain('does not exist');
      expect(err.message).not.to.contain('not-needed-but-secret');
    });

    it('says to create the schema when the search_path names none that exists', async function () {
      const url = new URL(db.url);
      url.searchParams.set('options', '-c search_path=lh_no_such_schema');
      const err = await expectRejection(new PostgresStore({ connectionString: url.toString() }).open(), 'STORE_SCHEMA');
      expect(err.message).to.contain('lh_no_such_schema').and.contain('CREATE SCHEMA');
    });

    it('refuses a DATABASE_URL that is not postgres://', function () {
      expect(() => new PostgresStore({ connectionString: 'mysql://root@localhost/db' }))
        .to.throw(/postgres:\/\//)
        .with.property('code', 'CONFIG_INVALID');
    });

    it('carries on after the server drops its connections, and says what it was doing while it could not', async function () {
      // Its own application_name, so only this store's connections are cut (other tests may share the server).
      const appName = `lh_cut_${db.schema}`;
      const url = new URL(db.url);
      url.searchParams.set('application_name', appName);
      const store = await open({ connectionString: url.toString() });
      await store.append(makeEvent());
      await store.setCursor('logging', 1);
      const cut = await db.sql<{ cut: boolean }>('SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = $1', [appName]);
      expect(cut.length).to.be.at.least(1);
      // The idle connections died: the pool reports them (no crash) and opens new ones.
      const { seq } = await store.append(makeEvent());
      expect(await store.getCursor('logging')).to.equal(1);
      expect((await store.readEvents(0, 10)).map((e) => e.seq)).to.include(seq);
    });
  });

  describe('schema migrations', function () {
    it('records each version once; re-opening runs none again and keeps the data', async function () {
      const first = await open();
      const { seq } = await first.append(makeEvent({ roomId: 'kept' }));
      await first.close();
      const before = await db.sql('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
      expect(before.map((r) => r.version)).to.deep.equal(PG_MIGRATIONS.map((m) => m.version));
      const second = await open();
      expect(await db.sql('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).to.deep.equal(before);
      expect((await second.getEvent(seq))!.event.roomId).to.equal('kept');
    });

    it('migrates once when several instances open an empty schema at the same moment', async function () {
      const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: db.url }));
      opened.push(...stores);
      const outcomes = await Promise.allSettled(stores.map((s) => s.open()));
      expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const rows = await db.sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).to.deep.equal(PG_MIGRATIONS.map((m) => m.version));
      // Each works on the one set of tables.
      const results = await Promise.all(stores.map((s) => s.append(makeEvent())));
      expect(new Set(results.map((r) => r.seq)).size).to.equal(4);
      expect(await stores[0]!.latestSeq()).to.equal(Math.max(...results.map((r) => r.seq)));
    });

    it('refuses a schema written by a newer livehook, naming both versions', async function () {
      await (await open()).close();
      await db.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)");
      const err = await expectRejection(new PostgresStore({ connectionString: db.url }).open(), 'STORE_SCHEMA');
      expect(err.message).to.contain('99').and.contain(`(${PG_MIGRATIONS.length})`).and.contain(db.schema);
    });
  });

  describe('group commit', function () {
    it('commits 200 appends made in the same turn in one transaction', async function () {
      const store = await open();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.append(makeEvent())));
      expect(new Set(results.map((r) => r.seq)).size).to.equal(200);
      expect(store.commitStats()).to.deep.equal({ commits: 1, items: 200, failedCommits: 0, largestBatch: 200 });
    });

    it('refuses an event PostgreSQL cannot hold (a time in fractions of a millisecond) on its own, and commits the rest of its batch', async function () {
      const store = await open();
      const good = makeEvent();
      const fraction = makeEvent({ receivedAt: 1.5 });
      const outcomes = await Promise.allSettled([store.append(good), store.append(fraction)]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected']);
      const reason = (outcomes[1] as PromiseRejectedResult).reason as Error & { code: string };
      expect(reason.code).to.equal('STORE_FAILED');
      expect(reason.message).to.contain('receivedAt').and.contain('whole milliseconds');
      expect((await store.readEvents(0, 10)).map((e) => e.event.id)).to.deep.equal([good.id]);
    });

    it('stores the same event appended by two instances at once only once', async function () {
      const a = await open();
      const b = await open();
      for (let round = 0; round < 20; round++) {
        const event = makeEvent();
        const [x, y] = await Promise.all([a.append(event), b.append({ ...event })]);
        expect(x!.seq).to.equal(y!.seq);
        expect([x!.duplicate, y!.duplicate].sort()).to.deep.equal([false, true]);
      }
      expect((await a.readEvents(0, 100)).length).to.equal(20);
    });
  });

  describe('several instances on one schema', function () {
    it('commits in seq order: a reader following `seq > cursor` misses nothing while two instances append', async function () {
      const a = await open();
      const b = await open();
      // A reader that moves its cursor like a plugin worker does.
      const seen = new Set<number>();
      let cursor = 0;
      let writing = true;
      const reader = (async () => {
        while (writing) {
          for (const { seq } of await a.readEvents(cursor, 10_000)) {
            seen.add(seq);
            cursor = seq;
          }
        }
      })();
      // Rounds where one instance commits a large, slow batch while the other commits a small one:
      // unless commits follow seq order, the small one becomes visible first and the reader passes
      // the large one's seqs before they are committed.
      const bigBody = 'x'.repeat(4000);
      for (let round = 0; round < 6; round++) {
        const big = Array.from({ length: 800 }, () => a.append(makeEvent({ raw: bigBody })));
        await new Promise((r) => setTimeout(r, round));
        const small = Array.from({ length: 3 }, () => b.append(makeEvent()));
        await Promise.all([...big, ...small]);
      }
      writing = false;
      await reader;
      for (const { seq } of await a.readEvents(cursor, 100_000)) seen.add(seq);
      const all = await db.sql<{ seq: string }>('SELECT seq FROM events');
      expect(all.length).to.equal(6 * 803);
      const missed = all.map((r) => Number(r.seq)).filter((s) => !seen.has(s));
      expect(missed, 'events the reader skipped').to.deep.equal([]);
    });

    it('gives a record key to exactly one of many concurrent writers (the scheduler\'s slot claim)', async function () {
      const a = await open();
      const b = await open();
      for (let round = 0; round < 10; round++) {
        const key = `daily-report@slot-${round}`;
        const puts = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).records('scheduler/stats-rollup').put('cron-slots', key, round, { i }));
        const won = await Promise.all(puts);
        expect(won.filter(Boolean), `winners of ${key}`).to.have.length(1);
      }
    });

    it('gives an expired lease to exactly one of the instances racing for it', async function () {
      const a = await open();
      const b = await open();
      for (let round = 0; round < 10; round++) {
        const name = `plugin:race-${round}`;
        expect(await a.acquireLease(name, 'gone', 1)).to.equal(true);
        await new Promise((r) => setTimeout(r, 5));
        const won = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).acquireLease(name, `owner-${i}`, 60_000)));
        expect(won.filter(Boolean), `winners of ${name}`).to.have.length(1);
      }
    });

    it('sees the other instance\'s events, cursors and dead-letter requeues', async function () {
      const service = await open();
      const cli = await open();
      const { seq } = await service.append(makeEvent());
      await service.recordFailure({ plugin: 'email-alert', eventSeq: seq, attempts: 5, nextAttemptAt: null, error: 'SMTP down' });
      expect((await cli.getEvent(seq))!.seq).to.equal(seq);
      expect(await cli.requeueDead(undefined, 1000)).to.equal(1);
      expect((await service.dueRetries('email-alert', 1000, 10)).map((d) => d.delivery.attempts)).to.deep.equal([0]);
    });
  });

  describe('plugin records at scale', function () {
    it('scans 20,000 records in pages of 5,000, in at order, each once', async function () {
      const store = await open();
      const total = 20_000;
      // Written straight into the table: the test is about reading. Three records per
      // millisecond, keys not in time order, so ties straddle every page boundary.
      await db.sql(
        `INSERT INTO plugin_records (plugin, collection, key, at, value)
         SELECT 'stats-rollup', 'rooms', 'room-' || ((i * 7919) % $1), 1000000 + i / 3, json_build_object('i', i)::text
         FROM generate_series(0, $1 - 1) AS i`,
        [total],
      );
      await db.sql("INSERT INTO plugin_records (plugin, collection, key, at, value) VALUES ('someone-else', 'rooms', 'room-x', 1000000, '{}')");
      const keys = new Set<string>();
      let previousAt = -Infinity;
      let count = 0;
      for await (const record of store.records('stats-rollup').scan<{ i: number }>('rooms', 0, Number.MAX_SAFE_INTEGER)) {
        expect(record.at).to.be.at.least(previousAt);
        expect(record.at).to.equal(1_000_000 + Math.floor(record.value.i / 3));
        previousAt = record.at;
        keys.add(record.key);
        count += 1;
      }
      expect(count).to.equal(total);
      expect(keys.size).to.equal(total);
    });
  });

  describe('retention', function () {
    it('cannot delete an event that still has a delivery row, even by hand (foreign key)', async function () {
      const store = await open();
      const { seq } = await store.append(makeEvent());
      await store.recordFailure({ plugin: 'p', eventSeq: seq, attempts: 1, nextAttemptAt: 10, error: 'e' });
      let caught: unknown;
      try {
        await db.sql('DELETE FROM events WHERE seq = $1', [seq]);
      } catch (err) {
        caught = err;
      }
      expect(String(caught)).to.contain('foreign key');
    });
  });
});
