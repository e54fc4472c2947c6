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
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { CallbackEvent } from '../../callbacks/event';
import type { DecisionRecord } from '../../decide/decision';
import { LivehookError, describeError, isLivehookError } from '../../errors';
import { freeSpace, formatBytes, isDiskFull } from '../disk-full';
import { type EventColumns, type EventRow, fromEventColumns, toEventColumns } from '../event-columns';
import type { GroupCommitStats } from '../group-commit';
import type {
  AppendOptions,
  AppendResult,
  DeliveryFailure,
  DeliveryRecord,
  DeliveryStatus,
  PluginRecords,
  PruneResult,
  QuarantineInput,
  QuarantineRecord,
  QuarantineStatus,
  Store,
  StoredEvent,
} from '../store';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import { SqlitePluginRecords } from './plugin-records';
import { pruneSqlite } from './prune';
import { SqliteWriter } from './sqlite-writer';
import { type Statements, prepareStatements } from './statements';
import { WriteFailure, WriteQueue } from './write-queue';
import type { OpValue, WriteOp } from './writer-protocol';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreOptions {
  /** The database file, e.g. `<data dir>/livehook.db` (its folder is created if missing). */
  file: string;
  /** Default 'FULL' (see the top of this file for what each protects against). */
  synchronous?: SqliteSynchronous;
  logger?: Logger;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Largest group commit of events; a full batch goes to the writer without waiting for the loop turn. Default 1000. */
  maxBatch?: number;
  /** Records per page in PluginRecords.scan. Default 5000. */
  recordsPageSize?: number;
  /** Told when the store can no longer write (its writer thread died): `livehook serve` exits so that its supervisor restarts it. */
  onFatal?: (reason: Error) => void;
  /**
   * After a write refused for lack of space (SQLITE_FULL, ENOSPC), ping()
   * fails until a write succeeds again or the disk has this much free.
   * Default 1 MiB (the default largest callback body).
   */
  minFreeBytes?: number;
  /**
   * A plugin isolate's store: writes go over this line (from the owning
   * store's attachPort()) to the writer thread the owner started; reads use a
   * connection of this thread's own. No migrations run: the owner ran them.
   */
  attach?: MessagePort;
}

/** What the connection actually runs with (read back from SQLite, for the start-up log and tests). */
export interface SqliteSettings {
  file: string;
  journalMode: string;
  synchronous: SqliteSynchronous | 'OFF' | 'EXTRA';
  foreignKeys: boolean;
  busyTimeoutMs: number;
  schemaVersion: number;
}

const SYNCHRONOUS_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

interface DeliveryRow {
  plugin: string;
  event_seq: number;
  event_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string;
  updated_at: number;
}

interface QuarantineRow {
  id: number;
  received_at: number;
  sdk_app_id: string | null;
  command: string | null;
  raw: string;
  query: string;
  reason: string;
  status: QuarantineStatus;
  note: string | null;
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  readonly file: string;

  readonly synchronousMode: SqliteSynchronous;
  private readonly busyTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly onFatal: ((reason: Error) => void) | undefined;
  private readonly minFreeBytes: number;
  /** The last commit failed for lack of space, and none has succeeded since. */
  private noRoom: WriteFailure | null = null;
  private readonly recordsPageSize: number;
  private readonly logger: Logger | undefined;
  private readonly attached: MessagePort | undefined;

  /** This thread's connection: reads only, once migrations have run. */
  private db: Database.Database | null = null;
  private statements: Statements | null = null;
  private writer: SqliteWriter | null = null;
  /** Every write, appends and the rest, group-committed through the writer. */
  private writes: WriteQueue | null = null;
  private readonly pluginRecords = new Map<string, SqlitePluginRecords>();
  private opening: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private schemaVersion = 0;

  constructor(options: SqliteStoreOptions) {
    if (typeof options.file !== 'string' || options.file.length === 0) {
      throw new LivehookError('CONFIG_INVALID', 'the SQLite store needs a file path (options.file)', { field: 'file' });
    }
    const synchronous = options.synchronous ?? 'FULL';
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
      throw new LivehookError('CONFIG_INVALID', `synchronous must be "FULL" or "NORMAL" (got ${JSON.stringify(synchronous)})`, {
        field: 'synchronous',
      });
    }
    this.file = path.resolve(options.file);
    this.synchronousMode = synchronous;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 1000;
    this.recordsPageSize = options.recordsPageSize ?? 5000;
    this.logger = options.logger;
    this.onFatal = options.onFatal;
    this.minFreeBytes = options.minFreeBytes ?? 1024 * 1024;
    this.attached = options.attach;
  }

  // --- lifecycle ---------------------------------------------------------------

  open(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    this.opening ??= this.openNow().catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  private async openNow(): Promise<void> {
    let db: Database.Database | null = null;
    let writer: SqliteWriter;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      db = new Database(this.file, { timeout: this.busyTimeoutMs });
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') {
        throw new Error(`the file system refused WAL mode (journal_mode stayed ${String(mode)})`);
      }
      db.pragma(`synchronous = ${this.synchronousMode}`);
      db.pragma('foreign_keys = ON');
      const onDied = (reason: Error) => {
        this.logger?.error({ err: reason, file: this.file }, 'the SQLite writer thread stopped: every write is refused until livehook restarts');
        this.onFatal?.(reason);
      };
      if (this.attached) {
        this.schemaVersion = Number(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() ?? 0);
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
        this.logger?.error({ err: failure, file: this.file, events: failure.events, writes: items }, 'group commit failed; every write in it was refused');
      },
      (failure) => this.followRoom(failure),
    );
    if (!this.attached) this.logger?.info(this.settings(), 'store opened');
  }

  /**
   * A line to this store's writer thread for a plugin isolate: transfer the
   * port to it and open a SqliteStore there with `attach: port`.
   */
  attachPort(): MessagePort {
    if (!this.writer || this.closing) throw this.closedError();
    return this.writer.attachPort();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.opening) await this.opening.catch(() => undefined);
      // Everything already accepted gets its commit before the file closes.
      if (this.writes) await this.writes.flush();
      this.statements = null;
      this.db?.close();
      this.db = null;
      // Last to close: as the file's last connection it checkpoints the WAL.
      await this.writer?.close();
      this.writer = null;
    })();
    return this.closing;
  }

  async ping(): Promise<void> {
    this.guard('ping', () => this.q().ping.get());
    if (!this.writer) throw this.closedError();
    const failure = this.writer.failure;
    if (failure) throw new LivehookError('STORE_FAILED', `the SQLite store ${this.file} cannot write: ${failure.message}`, { file: this.file });
    this.checkRoom();
  }

  /** Writes refused for lack of space: the store is not ready until one succeeds, or until there is room again. */
  private followRoom(failure: WriteFailure | null): void {
    if (failure === null) {
      if (this.noRoom) this.logger?.info({ file: this.file }, 'the SQLite store writes again');
      this.noRoom = null;
    } else if (isDiskFull(failure)) {
      if (!this.noRoom) this.logger?.error({ file: this.file, err: failure }, `the disk of ${path.dirname(this.file)} is full: callbacks are refused (5xx) and /readyz says not ready until there is room again`);
      this.noRoom = failure;
    }
  }

  /**
   * Ready again without waiting for a write (a probe that takes the service
   * out of rotation also stops the callbacks that would show it): once the
   * file system has minFreeBytes free, and free inodes.
   */
  private checkRoom(): void {
    if (!this.noRoom) return;
    const dir = path.dirname(this.file);
    const room = freeSpace(dir);
    if (room && room.bytes >= this.minFreeBytes && room.inodes > 0) return;
    const free = room ? `${formatBytes(room.bytes)} free` : 'free space unknown';
    throw new LivehookError('STORE_FAILED', `the SQLite store ${this.file} cannot write: ${this.noRoom.message} (${free} in ${dir}; ready again once ${formatBytes(this.minFreeBytes)} are free)`, { file: this.file });
  }

  /** The settings the writer's connection runs with (durability is decided there). */
  settings(): SqliteSettings {
    if (!this.writer) throw this.closedError();
    const w = this.writer.settings;
    if (!w) throw new LivehookError('STORE_FAILED', `the SQLite store ${this.file} is attached to another thread's writer: ask that store for its settings`, { file: this.file });
    return {
      file: this.file,
      journalMode: w.journalMode,
      synchronous: SYNCHRONOUS_NAMES[w.synchronous] ?? 'FULL',
      foreignKeys: w.foreignKeys,
      busyTimeoutMs: w.busyTimeoutMs,
      schemaVersion: this.schemaVersion,
    };
  }

  /** Group-commit counters since open (commits, writes incl. events, failed commits, largest batch). */
  commitStats(): GroupCommitStats {
    return this.writes?.stats() ?? { commits: 0, items: 0, failedCommits: 0, largestBatch: 0 };
  }

  // --- ingest --------------------------------------------------------------------

  append(event: CallbackEvent, options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closing || !this.writes) return Promise.reject(this.closedError());
    let columns: EventColumns;
    try {
      columns = toEventColumns(event, options.bodyFromRaw);
    } catch (err) {
      return Promise.reject(err);
    }
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

  async latestSeq(): Promise<number> {
    return this.guard('read the latest seq', () => this.q().latestSeq.get() as number);
  }

  /** Queues one write for the writer's next commit; resolves with its value once committed. */
  private async write(action: string, op: WriteOp): Promise<OpValue> {
    if (this.closing || !this.writes) throw this.closedError();
    try {
      return await this.writes.write(op);
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  private async writeCount(action: string, op: WriteOp): Promise<number> {
    return (await this.write(action, op)) as number;
  }

  // --- the log ---------------------------------------------------------------------

  async readEvents(afterSeq: number, limit: number, maxBytes = Infinity): Promise<StoredEvent[]> {
    return this.guard(`read events after seq ${afterSeq}`, () => {
      // Row by row, so that rows past the byte budget are never read into memory.
      const out: StoredEvent[] = [];
      let bytes = 0;
      for (const row of this.q().readEvents.iterate(afterSeq, limit) as IterableIterator<EventRow>) {
        out.push(fromEventColumns(row));
        bytes += row.raw.length + String(row.body).length;
        if (bytes >= maxBytes) break; // leaving the loop ends the statement
      }
      return out;
    });
  }

  async getEvent(seq: number): Promise<StoredEvent | null> {
    return this.guard(`read event seq ${seq}`, () => {
      const row = this.q().getEvent.get(seq) as EventRow | undefined;
      return row ? fromEventColumns(row) : null;
    });
  }

  async findDecision(eventId: string): Promise<DecisionRecord | null> {
    return this.guard(`read the decision of event ${eventId}`, () => {
      const text = this.q().decisionById.get(eventId) as string | null | undefined;
      return text ? (JSON.parse(text) as DecisionRecord) : null;
    });
  }

  // --- cursors -----------------------------------------------------------------------

  async getCursor(plugin: string): Promise<number | null> {
    return this.guard(`read the cursor of plugin ${plugin}`, () => (this.q().getCursor.get(plugin) as number | undefined) ?? null);
  }

  async setCursor(plugin: string, seq: number): Promise<void> {
    await this.write(`move the cursor of plugin ${plugin} to seq ${seq}`, { kind: 'setCursor', plugin, seq, now: Date.now() });
  }

  // --- failed deliveries ---------------------------------------------------------------

  async recordFailure(failure: DeliveryFailure): Promise<void> {
    const changes = await this.writeCount(`record a failed delivery of seq ${failure.eventSeq} to plugin ${failure.plugin}`, {
      kind: 'recordFailure',
      plugin: failure.plugin,
      eventSeq: failure.eventSeq,
      status: failure.nextAttemptAt === null ? 'dead' : 'retrying',
      attempts: failure.attempts,
      nextAttemptAt: failure.nextAttemptAt,
      error: failure.error,
      now: Date.now(),
    });
    if (changes === 0) {
      throw new LivehookError(
        'STORE_FAILED',
        `cannot record a failed delivery of event seq ${failure.eventSeq} to plugin ${failure.plugin}: no such event in the log`,
        { plugin: failure.plugin, eventSeq: failure.eventSeq },
      );
    }
  }

  async markDelivered(plugin: string, eventSeq: number): Promise<void> {
    await this.write(`mark seq ${eventSeq} delivered to plugin ${plugin}`, { kind: 'markDelivered', plugin, eventSeq });
  }

  async dueRetries(plugin: string, now: number, limit: number): Promise<Array<{ delivery: DeliveryRecord; event: StoredEvent }>> {
    return this.guard(`read due retries of plugin ${plugin}`, () => {
      const rows = this.q().dueRetries.all(plugin, now, limit) as Array<DeliveryRow & EventRow>;
      return rows.map((row) => ({ delivery: toDelivery(row), event: fromEventColumns(row) }));
    });
  }

  async listDeliveries(filter: { plugin?: string; status?: DeliveryStatus } = {}): Promise<DeliveryRecord[]> {
    return this.guard('list failed deliveries', () => {
      const rows = this.q().listDeliveries.all({ plugin: filter.plugin ?? null, status: filter.status ?? null }) as DeliveryRow[];
      return rows.map(toDelivery);
    });
  }

  async requeueDead(plugin: string | undefined, now: number): Promise<number> {
    return this.writeCount(`requeue dead deliveries${plugin ? ` of plugin ${plugin}` : ''}`, { kind: 'requeueDead', plugin: plugin ?? null, now });
  }

  async countDeliveries(): Promise<Array<{ plugin: string; status: DeliveryStatus; count: number }>> {
    return this.guard('count failed deliveries', () =>
      this.q().countDeliveries.all() as Array<{ plugin: string; status: DeliveryStatus; count: number }>,
    );
  }

  // --- quarantine ---------------------------------------------------------------------

  async quarantine(input: QuarantineInput): Promise<number> {
    return this.writeCount('quarantine a request', {
      kind: 'quarantine',
      receivedAt: input.receivedAt,
      sdkAppId: input.sdkAppId,
      command: input.command,
      raw: input.raw,
      query: JSON.stringify(input.query ?? {}),
      reason: input.reason,
    });
  }

  async listQuarantine(status?: QuarantineStatus): Promise<QuarantineRecord[]> {
    const rows = this.guard('list quarantined requests', () => this.q().listQuarantine.all({ status: status ?? null }) as QuarantineRow[]);
    return rows.map((row) => ({
      id: row.id,
      receivedAt: row.received_at,
      sdkAppId: row.sdk_app_id,
      command: row.command,
      raw: row.raw,
      query: JSON.parse(row.query) as Record<string, string>,
      reason: row.reason,
      status: row.status,
      note: row.note,
    }));
  }

  async setQuarantineStatus(id: number, status: QuarantineStatus, note: string | null): Promise<void> {
    const changes = await this.writeCount(`set the status of quarantined request ${id}`, { kind: 'setQuarantineStatus', id, status, note });
    if (changes === 0) {
      throw new LivehookError('NOT_FOUND', `no quarantined request with id ${id} (see the list of quarantined requests)`, { id });
    }
  }

  // --- leases ---------------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return (await this.writeCount(`take the lease ${name}`, { kind: 'acquireLease', name, owner, expiresAt: now + ttlMs, now })) === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.write(`release the lease ${name}`, { kind: 'releaseLease', name, owner });
  }

  // --- plugin data ------------------------------------------------------------------------

  records(plugin: string): PluginRecords {
    if (typeof plugin !== 'string' || plugin.length === 0) {
      throw new LivehookError('PLUGIN_INVALID', 'records(plugin) needs the plugin name (a non-empty string)', { plugin });
    }
    let records = this.pluginRecords.get(plugin);
    if (!records) {
      records = new SqlitePluginRecords(plugin, (action, op) => this.write(action, op), () => this.q(), this.recordsPageSize);
      this.pluginRecords.set(plugin, records);
    }
    return records;
  }

  // --- retention --------------------------------------------------------------------------

  async prune(before: number, plugins: string[]): Promise<PruneResult> {
    const action = `prune events received before ${new Date(before).toISOString()}`;
    return pruneSqlite((op) => this.write(action, op), before, plugins);
  }

  // --- internals ----------------------------------------------------------------------------

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

  private closedError(): LivehookError {
    const state = this.closing ? 'closed' : 'not open yet (call open() first)';
    return new LivehookError('STORE_FAILED', `the SQLite store ${this.file} is ${state}`, { file: this.file });
  }
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    plugin: row.plugin,
    eventSeq: row.event_seq,
    eventId: row.event_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    updatedAt: row.updated_at,
  };
}
