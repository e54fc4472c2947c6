import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openStore } from '../../src/store/open-store';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store';
import { MIGRATIONS } from '../../src/store/sqlite/migrations';
import type { QuarantineStatus } from '../../src/store/store';
import { makeEvent } from './make-event';
import { describeStoreConformance, expectRejection } from './store-conformance';
import { tempDir as tempFolder } from '../helpers/service';

function tempDir(): string {
  return tempFolder('livehook-store-');
}

describeStoreConformance('sqlite', async () => {
  const dir = tempDir();
  // A tiny page size, so the conformance scan crosses many page boundaries.
  const store = new SqliteStore({ file: path.join(dir, 'livehook.db'), recordsPageSize: 7 });
  await store.open();
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore', function () {
  let dir: string;
  const opened: SqliteStore[] = [];

  async function open(options: Partial<SqliteStoreOptions> = {}): Promise<SqliteStore> {
    const store = new SqliteStore({ file: path.join(dir, 'livehook.db'), ...options });
    opened.push(store);
    await store.open();
    return store;
  }

  beforeEach(function () {
    dir = tempDir();
  });

  afterEach(async function () {
    for (const store of opened.splice(0)) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('openStore()', function () {
    it('opens <dataDir>/livehook.db (creating the folder) in WAL mode with synchronous FULL', async function () {
      const dataDir = path.join(dir, 'data', 'nested');
      const store = await openStore({ dataDir });
      try {
        expect(store.engine).to.equal('sqlite');
        const settings = (store as SqliteStore).settings();
        expect(settings).to.include({
          file: path.join(dataDir, 'livehook.db'),
          journalMode: 'wal',
          synchronous: 'FULL',
          foreignKeys: true,
          busyTimeoutMs: 5000,
          schemaVersion: MIGRATIONS.length,
        });
        await store.append(makeEvent());
        // WAL is a property of the file: any other connection sees it.
        const other = new Database(path.join(dataDir, 'livehook.db'), { readonly: true });
        try {
          expect(other.pragma('journal_mode', { simple: true })).to.equal('wal');
          expect(other.prepare('SELECT COUNT(*) FROM events').pluck().get()).to.equal(1);
        } finally {
          other.close();
        }
      } finally {
        await store.close();
      }
    });

    it('uses synchronous NORMAL when asked', async function () {
      const store = await openStore({ dataDir: dir, synchronous: 'NORMAL' });
      try {
        expect((store as SqliteStore).settings().synchronous).to.equal('NORMAL');
      } finally {
        await store.close();
      }
    });

    it('refuses a synchronous level other than FULL or NORMAL', function () {
      expect(() => new SqliteStore({ file: path.join(dir, 'x.db'), synchronous: 'OFF' as 'FULL' }))
        .to.throw(/synchronous must be "FULL" or "NORMAL"/)
        .with.property('code', 'CONFIG_INVALID');
    });

    it('names the file when it cannot be opened', async function () {
      const blocker = path.join(dir, 'a-file');
      fs.writeFileSync(blocker, '');
      const store = new SqliteStore({ file: path.join(blocker, 'livehook.db') });
      const err = await expectRejection(store.open(), 'STORE_FAILED');
      expect(err.message).to.contain(path.join(blocker, 'livehook.db'));
    });
  });

  describe('schema migrations', function () {
    it('records each version once, and re-opening runs none again (data kept)', async function () {
      const first = await open();
      const { seq } = await first.append(makeEvent({ roomId: 'kept' }));
      await first.close();

      const file = path.join(dir, 'livehook.db');
      const readRows = () => {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
        } finally {
          db.close();
        }
      };
      const before = readRows();
      expect(before.map((r) => (r as { version: number }).version)).to.deep.equal(MIGRATIONS.map((m) => m.version));

      const second = await open();
      expect(readRows()).to.deep.equal(before);
      expect((await second.getEvent(seq))!.event.roomId).to.equal('kept');
    });

    it('refuses a database written by a newer livehook, naming both versions', async function () {
      await (await open()).close();
      const db = new Database(path.join(dir, 'livehook.db'));
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)").run();
      db.close();
      const store = new SqliteStore({ file: path.join(dir, 'livehook.db') });
      const err = await expectRejection(store.open(), 'STORE_SCHEMA');
      expect(err.message).to.contain('99').and.contain(`(${MIGRATIONS.length})`);
    });
  });

  describe('group commit', function () {
    it('commits 200 appends made in the same turn in one transaction', async function () {
      const store = await open();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.append(makeEvent())));
      expect(new Set(results.map((r) => r.seq)).size).to.equal(200);
      const stats = store.commitStats();
      expect(stats).to.deep.equal({ commits: 1, items: 200, failedCommits: 0, largestBatch: 200 });
    });

    it('commits a full batch at once and the rest in the next, when a turn brings more than maxBatch', async function () {
      const store = await open({ maxBatch: 50 });
      const pending = Array.from({ length: 120 }, () => store.append(makeEvent()));
      await Promise.all(pending);
      expect(store.commitStats()).to.deep.equal({ commits: 3, items: 120, failedCommits: 0, largestBatch: 50 });
      expect(await store.latestSeq()).to.equal(120);
    });

    it('closes a batch at 64 MB of events too, so large bodies never make one transaction too big to build', async function () {
      this.timeout(60_000);
      const store = await open();
      const big = 'x'.repeat(1024 * 1024); // the default body limit
      const results = await Promise.all(Array.from({ length: 100 }, () => store.append(makeEvent({ raw: big }))));
      expect(new Set(results.map((r) => r.seq)).size).to.equal(100);
      const stats = store.commitStats();
      expect(stats.items).to.equal(100);
      expect(stats.commits).to.be.at.least(2);
      expect(stats.largestBatch).to.be.at.most(64);
    });

    it('rejects every append of a batch whose commit fails, and stores none of them', async function () {
      const store = await open({ busyTimeoutMs: 50 });
      await store.append(makeEvent());
      // Another process (say the CLI) holds the write lock longer than the busy timeout.
      const cli = new Database(path.join(dir, 'livehook.db'));
      cli.exec('BEGIN IMMEDIATE');
      try {
        const outcomes = await Promise.allSettled([store.append(makeEvent()), store.append(makeEvent()), store.append(makeEvent())]);
        expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
        const reason = (outcomes[0] as PromiseRejectedResult).reason as Error & { code: string };
        expect(reason.code).to.equal('STORE_FAILED');
        expect(reason.message).to.contain('could not commit 3 event(s)').and.contain(path.join(dir, 'livehook.db'));
        expect(store.pendingWrites()).to.equal(0);
      } finally {
        cli.exec('ROLLBACK');
        cli.close();
      }
      expect(store.commitStats().failedCommits).to.equal(1);
      expect(await store.latestSeq()).to.equal(1);
      const after = await store.append(makeEvent());
      expect(after.duplicate).to.equal(false);
      expect((await store.readEvents(0, 10)).length).to.equal(2);
    });

    it('says what it was doing, and where, when another process keeps the database locked', async function () {
      const store = await open({ busyTimeoutMs: 50 });
      const cli = new Database(path.join(dir, 'livehook.db'));
      cli.exec('BEGIN IMMEDIATE');
      try {
        const err = await expectRejection(store.setCursor('logging', 3), 'STORE_FAILED');
        expect(err.message).to.contain('cursor of plugin logging').and.contain(path.join(dir, 'livehook.db')).and.contain('locked');
      } finally {
        cli.exec('ROLLBACK');
        cli.close();
      }
      await store.setCursor('logging', 3);
      expect(await store.getCursor('logging')).to.equal(3);
    });

    it('keeps what was acknowledged across close and re-open', async function () {
      const first = await open();
      const events = Array.from({ length: 30 }, () => makeEvent());
      const results = await Promise.all(events.map((e) => first.append(e)));
      await first.close();
      const second = await open();
      const read = await second.readEvents(0, 100);
      expect(read.map((r) => r.seq)).to.deep.equal(results.map((r) => r.seq));
      expect(read.map((r) => r.event)).to.deep.equal(events);
    });
  });

  describe('the writer thread', function () {
    it('commits appends, cursor moves and record puts made in the same turn in one transaction', async function () {
      const store = await open();
      const [a, b, , isNew] = await Promise.all([
        store.append(makeEvent()),
        store.append(makeEvent()),
        store.setCursor('logging', 1),
        store.records('stats-rollup').put('rooms', 'r1', 10, { viewers: 3 }),
        store.records('stats-rollup').put('rooms', 'r2', 20, { viewers: 4 }),
      ]);
      expect([a!.seq, b!.seq]).to.deep.equal([1, 2]);
      expect(isNew).to.equal(true);
      expect(store.commitStats()).to.deep.equal({ commits: 1, items: 5, failedCommits: 0, largestBatch: 5 });
      expect(await store.getCursor('logging')).to.equal(1);
      expect((await store.records('stats-rollup').get('rooms', 'r2'))!.value).to.deep.equal({ viewers: 4 });
    });

    it('refuses a write that fails on its own, naming what it was and the file, and commits the rest of its transaction', async function () {
      const store = await open();
      const id = await store.quarantine({ receivedAt: 1, sdkAppId: null, command: null, raw: 'x', query: {}, reason: 'bad' });
      const outcomes = await Promise.allSettled([
        store.setQuarantineStatus(id, 'lost' as QuarantineStatus, null), // the table's CHECK refuses it
        store.append(makeEvent({ roomId: 'kept' })),
        store.records('p').put('c', 'k', 1, 'kept too'),
      ]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'fulfilled', 'fulfilled']);
      const err = (outcomes[0] as PromiseRejectedResult).reason as Error & { code: string };
      expect(err.code).to.equal('STORE_FAILED');
      expect(err.message).to.contain(`set the status of quarantined request ${id}`).and.contain(path.join(dir, 'livehook.db')).and.contain('CHECK');
      expect((await store.readEvents(0, 10)).map((e) => e.event.roomId)).to.deep.equal(['kept']);
      expect((await store.records('p').get('c', 'k'))!.value).to.equal('kept too');
      expect((await store.listQuarantine()).map((q) => q.status)).to.deep.equal(['held']);
    });

    it('tells its owner when the thread is gone, and refuses writes from then on', async function () {
      const fatal: Error[] = [];
      const store = await open({ onFatal: (reason) => fatal.push(reason) });
      expect((await store.append(makeEvent())).seq).to.equal(1);
      // What an uncaught error or an out-of-memory kill of the thread looks like from here.
      await (store as unknown as { writer: { channel: { terminate(): Promise<number> } } }).writer.channel.terminate();
      expect(fatal.map((e) => e.message)).to.deep.equal(['the writer thread exited unexpectedly (code 1)']);
      await expectRejection(store.append(makeEvent({ roomId: 'after' })), 'STORE_FAILED');
    });

    it('keeps the event loop running while a commit waits for another process\'s write lock', async function () {
      const store = await open();
      const cli = new Database(path.join(dir, 'livehook.db'));
      cli.exec('BEGIN IMMEDIATE');
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 10);
      try {
        const appended = store.append(makeEvent());
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Before the writer thread, this thread sat in SQLite's busy wait for the whole 300 ms.
        expect(ticks).to.be.at.least(10);
        cli.exec('ROLLBACK');
        expect((await appended).seq).to.equal(1);
      } finally {
        clearInterval(ticker);
        if (cli.inTransaction) cli.exec('ROLLBACK');
        cli.close();
      }
    });

    it('lets a process end without close(), but not before close() has finished', async function () {
      this.timeout(30_000);
      const script = path.join(dir, 'script.ts');
      const storeModule = path.resolve(__dirname, '../../src/store/sqlite/sqlite-store');
      const eventModule = path.resolve(__dirname, 'make-event');
      fs.writeFileSync(script, `
        import { SqliteStore } from ${JSON.stringify(storeModule)};
        import { makeEvent } from ${JSON.stringify(eventModule)};
        (async () => {
          const store = new SqliteStore({ file: process.argv[2] });
          await store.open();
          await store.append(makeEvent({ roomId: process.argv[3] }));
          if (process.argv[3] === 'closed') {
            const pending = store.append(makeEvent({ roomId: 'committed by close' }));
            await store.close();
            console.log('closed', (await pending).seq);
          } else {
            console.log('left open');
          }
        })();
      `);
      const run = (mode: string) =>
        new Promise<string>((resolve, reject) => {
          execFile(process.execPath, [path.resolve(__dirname, '../../src/bin/run-ts.js'), script, path.join(dir, 'livehook.db'), mode], { timeout: 20_000 }, (err, stdout) =>
            err ? reject(err) : resolve(stdout),
          );
        });
      expect(await run('left open')).to.equal('left open\n');
      expect(await run('closed')).to.equal('closed 3\n');
      const store = await open();
      expect((await store.readEvents(0, 10)).map((e) => e.event.roomId)).to.deep.equal(['left open', 'closed', 'committed by close']);
    });
  });

  describe('two instances on one file (service and CLI)', function () {
    it('lets only one of them hold a lease, and the other take it after release', async function () {
      const service = await open();
      const cli = await open();
      expect(await service.acquireLease('rollup:2026-01-01', 'service', 60_000)).to.equal(true);
      expect(await cli.acquireLease('rollup:2026-01-01', 'cli', 60_000)).to.equal(false);
      expect(await service.acquireLease('rollup:2026-01-01', 'service', 60_000)).to.equal(true);
      await service.releaseLease('rollup:2026-01-01', 'service');
      expect(await cli.acquireLease('rollup:2026-01-01', 'cli', 60_000)).to.equal(true);
      expect(await service.acquireLease('rollup:2026-01-01', 'service', 60_000)).to.equal(false);
    });

    it('sees the other instance\'s committed events, cursors and dead-letter requeues', async function () {
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
      this.timeout(60_000);
      const store = await open();
      const total = 20_000;
      // Written straight into the file in one transaction: the test is about reading.
      const db = new Database(path.join(dir, 'livehook.db'));
      const insert = db.prepare('INSERT INTO plugin_records (plugin, collection, key, at, value) VALUES (?, ?, ?, ?, ?)');
      db.transaction(() => {
        for (let i = 0; i < total; i++) {
          // Three records per millisecond, keys not in time order: ties straddle every page boundary.
          insert.run('stats-rollup', 'rooms', `room-${(i * 7919) % total}`, 1_000_000 + Math.floor(i / 3), JSON.stringify({ i }));
        }
        insert.run('someone-else', 'rooms', 'room-x', 1_000_000, '{}');
      })();
      db.close();

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

      let window = 0;
      for await (const _ of store.records('stats-rollup').scan('rooms', 1_000_010, 1_000_020)) window += 1;
      expect(window).to.equal(30);
    });
  });

  describe('retention', function () {
    it('cannot delete an event that still has a delivery row, even by hand (foreign key)', async function () {
      const store = await open();
      const { seq } = await store.append(makeEvent());
      await store.recordFailure({ plugin: 'p', eventSeq: seq, attempts: 1, nextAttemptAt: 10, error: 'e' });
      const db = new Database(path.join(dir, 'livehook.db'));
      db.pragma('foreign_keys = ON');
      try {
        expect(() => db.prepare('DELETE FROM events WHERE seq = ?').run(seq)).to.throw(/FOREIGN KEY/);
      } finally {
        db.close();
      }
    });
  });
});
