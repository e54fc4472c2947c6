/**
 * The embedded store: one SQLite file (better-sqlite3, WAL) under the data dir.
 *
 * Durability. In WAL mode a commit appends to the -wal file:
 *   synchronous=FULL   (the default) fsyncs the WAL on every commit, so an
 *                      acknowledged event survives a process crash AND an
 *                      OS crash or power loss.
 *   synchronous=NORMAL fsyncs only at checkpoints: an acknowledged event
 *                      survives a process crash (SIGKILL, OOM kill), because
 *                      the write already sits in the OS page cache, but the
 *                      last commits before a power loss or kernel panic may
 *                      be rolled back (the database stays consistent).
 * Group commit (see ../group-commit.ts) is what makes FULL affordable: one
 * fsync per batch, not one per callback.
 *
 * Two connections. Every write (appends, cursors, failed deliveries,
 * quarantine, leases, plugin records, retention) goes to a writer thread
 * (./writer-thread.ts) with its own connection, so the event loop never
 * blocks on a commit or its fsync and keeps parsing requests while one runs;
 * the writes waiting when a commit ends share the next one. Reads run on
 * this thread's connection: better-sqlite3 is synchronous, but a read is
 * short, and in WAL mode it never waits for the writer and sees every commit
 * the writer has answered for. Migrations run here at open, before the
 * writer starts.
 *
 * When another process (the CLI) holds the write lock, the writer waits up
 * to busyTimeoutMs before failing with SQLITE_BUSY; its transactions start
 * IMMEDIATE so they wait for the lock up front instead of failing midway.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { LivehookError, describeError, isLivehookError } from '../../errors';
import { FailureSpell } from '../../log/failure-spell';
import type { ReadName, ReadStatements, WriteName, WriteResult, WriteStatements } from '../core/statements';
import { StoreCore } from '../core/store-core';
import type { EventColumns, EventRow } from '../event-columns';
import type { GroupCommitStats } from '../group-commit';
import type { AppendResult, CounterChange, PruneResult, StoredEvent } from '../store';
import { openConnection } from './connection';
import { currentVersion, migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import { pruneSqlite } from './prune';
import { type SqliteSettings, type SqliteStoreOptions, type SqliteSynchronous, checkFile, checkSynchronous, synchronousName } from './sqlite-options';
import { SqliteWriter } from './sqlite-writer';
import { DiskRoom } from './disk-room';
import { type Statements, bindParams, prepareStatements } from './statements';
import { WriteFailure, WriteQueue } from './write-queue';
import type { NamedWrite } from './writer-protocol';

export type { SqliteSettings, SqliteStoreOptions, SqliteSynchronous } from './sqlite-options';

export class SqliteStore extends StoreCore {
  readonly engine = 'sqlite' as const;
  readonly file: string;
  protected readonly refusesNul = false;

  readonly synchronousMode: SqliteSynchronous;
  private readonly busyTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly onFatal: ((reason: Error) => void) | undefined;
  private readonly logger: Logger | undefined;
  /** A writer that fails every commit (disk gone): said once, summed up, and its end said. */
  private readonly commitFailures: FailureSpell | null;
  private readonly attached: MessagePort | undefined;
  private readonly room: DiskRoom;

  /** This thread's connection: reads only, once migrations have run. */
  private db: Database.Database | null = null;
  private statements: Statements | null = null;
  private writer: SqliteWriter | null = null;
  /** Every write, appends and the rest, group-committed through the writer. */
  private writes: WriteQueue | null = null;
  private schemaVersion = 0;

  constructor(options: SqliteStoreOptions) {
    super(options.recordsPageSize ?? 5000);
    this.file = path.resolve(checkFile(options.file));
    this.synchronousMode = checkSynchronous(options.synchronous ?? 'FULL');
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 1000;
    this.logger = options.logger;
    this.commitFailures = options.logger ? new FailureSpell(options.logger, 'group commits') : null;
    this.onFatal = options.onFatal;
    this.attached = options.attach;
    this.room = new DiskRoom(this.file, options.minFreeBytes ?? 1024 * 1024, options.logger);
  }

  // --- lifecycle ---------------------------------------------------------------

  protected async connect(): Promise<void> {
    let db: Database.Database | null = null;
    let writer: SqliteWriter;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      db = openConnection({ file: this.file, synchronous: this.synchronousMode, busyTimeoutMs: this.busyTimeoutMs });
      const onDied = (reason: Error) => {
        this.logger?.error({ err: reason, file: this.file }, 'the SQLite writer thread stopped: every write is refused until livehook restarts');
        this.onFatal?.(reason);
      };
      if (this.attached) {
        this.schemaVersion = currentVersion(db);
        this.statements = prepareStatements(db);
        writer = SqliteWriter.attach(this.attached, onDied);
      } else {
        this.schemaVersion = migrate(db, MIGRATIONS, this.file, this.logger).version;
        this.statements = prepareStatements(db);
        writer = await SqliteWriter.start({ file: this.file, synchronous: this.synchronousMode, busyTimeoutMs: this.busyTimeoutMs }, onDied);
      }
    } catch (err) {
      db?.close();
      this.statements = null;
      if (isLivehookError(err)) throw err;
      throw new LivehookError('STORE_FAILED', `cannot open the SQLite database ${this.file}: ${describeError(err)}`, { file: this.file }, { cause: err });
    }
    this.db = db;
    this.writer = writer;
    this.writes = new WriteQueue(
      writer,
      this.maxBatch,
      (failure, items) => {
        this.commitFailures?.failed({ err: failure, file: this.file, events: failure.events, writes: items }, 'group commit failed; every write in it was refused');
      },
      (failure) => {
        if (failure === null) this.commitFailures?.succeeded();
        this.room.follow(failure);
      },
    );
    if (!this.attached) this.logger?.info(this.settings(), 'store opened');
  }

  /**
   * A line to this store's writer thread for a plugin isolate: transfer the
   * port to it and open a SqliteStore there with `attach: port`.
   */
  attachPort(): MessagePort {
    if (!this.writer || this.isClosing) throw this.closedError();
    return this.writer.attachPort();
  }

  protected async disconnect(): Promise<void> {
    // Everything already accepted gets its commit before the file closes.
    if (this.writes) await this.writes.flush();
    this.statements = null;
    this.db?.close();
    this.db = null;
    // Last to close: as the file's last connection it checkpoints the WAL.
    await this.writer?.close();
    this.writer = null;
  }

  override async ping(): Promise<void> {
    await super.ping();
    if (!this.writer) throw this.closedError();
    const failure = this.writer.failure;
    if (failure) throw new LivehookError('STORE_FAILED', `the SQLite store ${this.file} cannot write: ${failure.message}`, { file: this.file });
    this.room.check();
  }

  /** The settings the writer's connection runs with (durability is decided there). */
  settings(): SqliteSettings {
    if (!this.writer) throw this.closedError();
    const w = this.writer.settings;
    if (!w) throw new LivehookError('STORE_FAILED', `the SQLite store ${this.file} is attached to another thread's writer: ask that store for its settings`, { file: this.file });
    return {
      file: this.file,
      journalMode: w.journalMode,
      synchronous: synchronousName(w.synchronous),
      foreignKeys: w.foreignKeys,
      busyTimeoutMs: w.busyTimeoutMs,
      schemaVersion: this.schemaVersion,
    };
  }

  /** Group-commit counters since open (commits, writes incl. events, failed commits, largest batch). */
  commitStats(): GroupCommitStats {
    return this.writes?.stats() ?? { commits: 0, items: 0, failedCommits: 0, largestBatch: 0 };
  }

  // --- ingest and the log ----------------------------------------------------------

  protected appendColumns(columns: EventColumns): Promise<AppendResult> {
    if (!this.writes) return Promise.reject(this.closedError());
    return this.writes.append(columns).catch((err: unknown) => {
      throw err instanceof WriteFailure
        ? new LivehookError('STORE_FAILED', `could not commit ${err.events} event(s) to ${this.file}: ${err.message}`, { file: this.file, events: err.events }, { cause: err })
        : err;
    });
  }

  pendingWrites(): number {
    return this.writes?.pendingEvents ?? 0;
  }

  pendingWriteBytes(): number {
    return this.writes?.pendingBytes ?? 0;
  }

  async readEvents(afterSeq: number, limit: number, maxBytes = Infinity): Promise<StoredEvent[]> {
    return this.guard(`read events after seq ${afterSeq}`, () => {
      // Row by row, so that rows past the byte budget are never read into memory.
      const out: StoredEvent[] = [];
      let bytes = 0;
      for (const row of this.q().readEvents.iterate(afterSeq, limit) as IterableIterator<EventRow>) {
        out.push(this.toStoredEvent(row));
        bytes += row.raw.length + String(row.body).length;
        if (bytes >= maxBytes) break; // leaving the loop ends the statement
      }
      return out;
    });
  }

  // --- named statements ----------------------------------------------------------------

  /** Reads run on this thread's connection: short, and in WAL mode they never wait for the writer. */
  async read<R extends object, N extends ReadName = ReadName>(action: string, name: N, params: ReadStatements[N]): Promise<R[]> {
    return this.guard(action, () => {
      const statement = this.q().named[name];
      return (params.length === 0 ? statement.all() : statement.all(bindParams(params))) as R[];
    });
  }

  /** Writes join the writer's next group commit; resolves once it is committed. */
  async write<R extends object, N extends WriteName = WriteName>(action: string, name: N, params: WriteStatements[N]): Promise<WriteResult<R>> {
    return (await this.writeNamed(action, { name, params })) as WriteResult<R>;
  }

  protected async addCounters(action: string, plugin: string, changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }> {
    const plain = changes.map((c) => ({ collection: c.collection, key: c.key, at: c.at, by: c.by, max: c.max }));
    const { rows } = await this.writeNamed(action, { name: 'addCounters', params: [plugin, plain] });
    return rows[0] as unknown as { applied: boolean; values: number[] };
  }

  async prune(before: number, plugins: string[]): Promise<PruneResult> {
    const action = `prune events received before ${new Date(before).toISOString()}`;
    return pruneSqlite((write) => this.writeNamed(action, write), before, plugins);
  }

  private async writeNamed(action: string, write: NamedWrite): Promise<WriteResult> {
    if (this.isClosing || !this.writes) throw this.closedError();
    try {
      return await this.writes.write(write);
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  // --- internals ----------------------------------------------------------------------------

  protected describeStore(): string {
    return `the SQLite store ${this.file}`;
  }

  protected storeDetails(): Record<string, unknown> {
    return { file: this.file };
  }

  /** Runs one synchronous database call; a driver error becomes a STORE_FAILED that says what was being done. */
  private guard<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  private failure(action: string, err: unknown): LivehookError {
    if (isLivehookError(err)) return err;
    return new LivehookError('STORE_FAILED', `could not ${action} in ${this.file}: ${describeError(err)}`, { file: this.file }, { cause: err });
  }

  private q(): Statements {
    if (!this.statements) throw this.closedError();
    return this.statements;
  }
}
