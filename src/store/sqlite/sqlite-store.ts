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
 * fsync per loop turn, not one per callback.
 *
 * better-sqlite3 is synchronous: every call here runs on the event loop and
 * is short (a commit of a batch is well under a millisecond on an SSD). When
 * another process (the CLI) holds the write lock, SQLite retries for
 * busyTimeoutMs before failing with SQLITE_BUSY; write transactions start
 * IMMEDIATE so they wait for the lock up front instead of failing midway.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { CallbackEvent } from '../../callbacks/event';
import { LivehookError, describeError, isLivehookError } from '../../errors';
import { type EventColumns, type EventRow, fromEventColumns, toEventColumns } from '../event-columns';
import { GroupCommit, type GroupCommitStats } from '../group-commit';
import type {
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
import { type Statements, prepareStatements } from './statements';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreOptions {
  /** The database file, e.g. `<data dir>/livehook.db` (its folder is created if missing). */
  file: string;
  /** Default 'FULL' (see the top of this file for what each protects against). */
  synchronous?: SqliteSynchronous;
  logger?: Logger;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Largest group commit; a full batch commits without waiting for the loop turn. Default 1000. */
  maxBatch?: number;
  /** Records per page in PluginRecords.scan. Default 5000. */
  recordsPageSize?: number;
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

  private readonly synchronous: SqliteSynchronous;
  private readonly busyTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly recordsPageSize: number;
  private readonly logger: Logger | undefined;

  private db: Database.Database | null = null;
  private statements: Statements | null = null;
  private appends: GroupCommit<EventColumns, AppendResult> | null = null;
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
    this.synchronous = synchronous;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 1000;
    this.recordsPageSize = options.recordsPageSize ?? 5000;
    this.logger = options.logger;
  }

  // --- lifecycle ---------------------------------------------------------------

  open(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    this.opening ??= Promise.resolve().then(() => this.openNow());
    return this.opening;
  }

  private openNow(): void {
    let db: Database.Database | null = null;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      db = new Database(this.file, { timeout: this.busyTimeoutMs });
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') {
        throw new Error(`the file system refused WAL mode (journal_mode stayed ${String(mode)})`);
      }
      db.pragma(`synchronous = ${this.synchronous}`);
      db.pragma('foreign_keys = ON');
      this.schemaVersion = migrate(db, MIGRATIONS, this.file, this.logger).version;
      this.statements = prepareStatements(db);
    } catch (err) {
      db?.close();
      this.opening = null;
      if (isLivehookError(err)) throw err;
      throw new LivehookError('STORE_FAILED', `cannot open the SQLite database ${this.file}: ${describeError(err)}`, { file: this.file }, { cause: err });
    }
    this.db = db;
    this.appends = this.makeGroupCommit(db, this.statements);
    this.logger?.info(this.settings(), 'store opened');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.opening) await this.opening.catch(() => undefined);
      // Everything already accepted gets its commit before the file closes.
      if (this.appends) await this.appends.flush();
      this.statements = null;
      this.db?.close();
      this.db = null;
    })();
    return this.closing;
  }

  async ping(): Promise<void> {
    this.guard('ping', () => this.q().ping.get());
  }

  /** The settings SQLite reports for this connection. */
  settings(): SqliteSettings {
    const db = this.connection();
    const sync = Number(db.pragma('synchronous', { simple: true }));
    return {
      file: this.file,
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[sync] ?? 'FULL',
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
      schemaVersion: this.schemaVersion,
    };
  }

  /** Group-commit counters since open (commits, events, failed commits, largest batch). */
  commitStats(): GroupCommitStats {
    return this.appends?.stats() ?? { commits: 0, items: 0, failedCommits: 0, largestBatch: 0 };
  }

  // --- ingest --------------------------------------------------------------------

  append(event: CallbackEvent): Promise<AppendResult> {
    if (this.closing || !this.appends) return Promise.reject(this.closedError());
    let columns: EventColumns;
    try {
      columns = toEventColumns(event);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.appends.push(columns);
  }

  pendingWrites(): number {
    return this.appends?.pending ?? 0;
  }

  async latestSeq(): Promise<number> {
    return this.guard('read the latest seq', () => this.q().latestSeq.get() as number);
  }

  private makeGroupCommit(db: Database.Database, s: Statements): GroupCommit<EventColumns, AppendResult> {
    const insertBatch = db.transaction((batch: EventColumns[]): AppendResult[] => {
      const results = new Array<AppendResult>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const c = batch[i]!;
        const info = s.insertEvent.run(
          c.id, c.command, c.known ? 1 : 0, c.sdk_app_id, c.room_id, c.event_type, c.event_time,
          c.operator_account, c.received_at, c.body, c.raw, c.query,
        );
        results[i] =
          info.changes === 1
            ? { seq: Number(info.lastInsertRowid), duplicate: false }
            : { seq: s.eventSeqById.get(c.id) as number, duplicate: true };
      }
      return results;
    });
    return new GroupCommit<EventColumns, AppendResult>({
      maxBatch: this.maxBatch,
      commit: (batch) => insertBatch.immediate(batch),
      wrapError: (err, size) => {
        this.logger?.error({ err, file: this.file, events: size }, 'group commit failed; every event in it was refused');
        return new LivehookError(
          'STORE_FAILED',
          `could not commit ${size} event(s) to ${this.file}: ${describeError(err)}`,
          { file: this.file, events: size },
          { cause: err },
        );
      },
    });
  }

  // --- the log ---------------------------------------------------------------------

  async readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return this.guard(`read events after seq ${afterSeq}`, () =>
      (this.q().readEvents.all(afterSeq, limit) as EventRow[]).map(fromEventColumns),
    );
  }

  async getEvent(seq: number): Promise<StoredEvent | null> {
    return this.guard(`read event seq ${seq}`, () => {
      const row = this.q().getEvent.get(seq) as EventRow | undefined;
      return row ? fromEventColumns(row) : null;
    });
  }

  // --- cursors -----------------------------------------------------------------------

  async getCursor(plugin: string): Promise<number | null> {
    return this.guard(`read the cursor of plugin ${plugin}`, () => (this.q().getCursor.get(plugin) as number | undefined) ?? null);
  }

  async setCursor(plugin: string, seq: number): Promise<void> {
    this.guard(`move the cursor of plugin ${plugin} to seq ${seq}`, () => this.q().setCursor.run(plugin, seq, Date.now()));
  }

  // --- failed deliveries ---------------------------------------------------------------

  async recordFailure(failure: DeliveryFailure): Promise<void> {
    const info = this.guard(`record a failed delivery of seq ${failure.eventSeq} to plugin ${failure.plugin}`, () => this.q().recordFailure.run({
      plugin: failure.plugin,
      eventSeq: failure.eventSeq,
      status: failure.nextAttemptAt === null ? 'dead' : 'retrying',
      attempts: failure.attempts,
      nextAttemptAt: failure.nextAttemptAt,
      error: failure.error,
      now: Date.now(),
    }));
    if (info.changes === 0) {
      throw new LivehookError(
        'STORE_FAILED',
        `cannot record a failed delivery of event seq ${failure.eventSeq} to plugin ${failure.plugin}: no such event in the log`,
        { plugin: failure.plugin, eventSeq: failure.eventSeq },
      );
    }
  }

  async markDelivered(plugin: string, eventSeq: number): Promise<void> {
    this.guard(`mark seq ${eventSeq} delivered to plugin ${plugin}`, () => this.q().markDelivered.run(plugin, eventSeq));
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
    return this.guard(`requeue dead deliveries${plugin ? ` of plugin ${plugin}` : ''}`, () =>
      this.q().requeueDead.run({ plugin: plugin ?? null, now }).changes,
    );
  }

  async countDeliveries(): Promise<Array<{ plugin: string; status: DeliveryStatus; count: number }>> {
    return this.guard('count failed deliveries', () =>
      this.q().countDeliveries.all() as Array<{ plugin: string; status: DeliveryStatus; count: number }>,
    );
  }

  // --- quarantine ---------------------------------------------------------------------

  async quarantine(input: QuarantineInput): Promise<number> {
    const info = this.guard('quarantine a request', () =>
      this.q().quarantine.run(input.receivedAt, input.sdkAppId, input.command, input.raw, JSON.stringify(input.query ?? {}), input.reason),
    );
    return Number(info.lastInsertRowid);
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
    const info = this.guard(`set the status of quarantined request ${id}`, () => this.q().setQuarantineStatus.run(status, note, id));
    if (info.changes === 0) {
      throw new LivehookError('NOT_FOUND', `no quarantined request with id ${id} (see the list of quarantined requests)`, { id });
    }
  }

  // --- leases ---------------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.guard(`take the lease ${name}`, () => this.q().acquireLease.run({ name, owner, expiresAt: now + ttlMs, now }).changes === 1);
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.guard(`release the lease ${name}`, () => this.q().releaseLease.run(name, owner));
  }

  // --- plugin data ------------------------------------------------------------------------

  records(plugin: string): PluginRecords {
    if (typeof plugin !== 'string' || plugin.length === 0) {
      throw new LivehookError('PLUGIN_INVALID', 'records(plugin) needs the plugin name (a non-empty string)', { plugin });
    }
    let records = this.pluginRecords.get(plugin);
    if (!records) {
      records = new SqlitePluginRecords(plugin, this.connection(), () => this.q(), this.recordsPageSize);
      this.pluginRecords.set(plugin, records);
    }
    return records;
  }

  // --- retention --------------------------------------------------------------------------

  async prune(before: number, plugins: string[]): Promise<PruneResult> {
    try {
      return await pruneSqlite(this.connection(), () => this.q(), before, plugins);
    } catch (err) {
      throw this.failure(`prune events received before ${new Date(before).toISOString()}`, err);
    }
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

  private connection(): Database.Database {
    if (!this.db) throw this.closedError();
    return this.db;
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
