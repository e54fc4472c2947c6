/**
 * The store for several instances: PostgreSQL through a `pg` Pool.
 *
 * Same behaviour as the SQLite store (the conformance suite runs on both),
 * with what sharing a database between instances adds:
 *   - migrations run under an advisory lock, so instances starting together
 *     migrate once (./migrate.ts);
 *   - appends are group-committed, one transaction per batch, and batches
 *     commit in seq order across instances, so a reader of `seq > cursor`
 *     never skips an event (./append-batch.ts);
 *   - leases and record puts are single atomic statements, decided by the
 *     database (./statements.ts), and lease expiry uses the database clock.
 *
 * Where it lives: the database and user of DATABASE_URL, in the first schema
 * of its search_path (`?options=-c%20search_path%3Dlivehook` to choose one;
 * it must exist). Messages name user@host:port/database and the schema,
 * never the URL (it may hold a password).
 *
 * Durability: a commit returns once PostgreSQL has flushed it
 * (synchronous_commit=on, the server default); group commit makes that one
 * flush per batch. If the answer to a COMMIT is lost with the connection,
 * the caller is told it failed although it may have been stored: the
 * sender's retry is then recognised as a duplicate by its id.
 *
 * Outages: a restart, failover or cut network fails the operations that
 * needed the database, with STORE_UNAVAILABLE (503: Tencent retries), never
 * the process (./pg-session.ts); the pool opens new connections once the
 * database is back. Every statement has a time-out (./pg-timeouts.ts).
 *
 * Text holding NUL, which PostgreSQL refuses and SQLite keeps, is stored as
 * a JSON string literal and read back as it was (./pg-text.ts).
 */
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { CallbackEvent } from '../../callbacks/event';
import type { DecisionRecord } from '../../decide/decision';
import { LivehookError, isLivehookError } from '../../errors';
import { MAX_BATCH_BYTES, type EventColumns, type EventRow, columnsWeight, fromEventColumns, toEventColumns } from '../event-columns';
import { GroupCommit, type GroupCommitStats } from '../group-commit';
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
import { commitEventBatch, pgColumnProblem } from './append-batch';
import { type LockKeys, lockKeysFor } from './lock-keys';
import { migratePg } from './migrate';
import { PG_MIGRATIONS } from './migrations';
import { escapeNul } from '../nul';
import { type PgSession, withSession } from './pg-session';
import { describePgError, describeTarget, unavailability, type PgTarget } from './pg-target';
import { fromPgEventRow, fromPgText, toPgEventColumns } from './pg-text';
import { CLIENT_GRACE_MS, DEFAULT_PG_TIMEOUTS, MIGRATION_TIMEOUT_MS, type PgTimeouts, commitBudgetMs } from './pg-timeouts';
import { PgPluginRecords } from './plugin-records';
import { prunePg } from './prune';
import { SQL } from './statements';

export interface PostgresStoreOptions {
  /** DATABASE_URL: postgres://user[:password]@host[:port]/database[?options=-c%20search_path%3D<schema>] */
  connectionString: string;
  logger?: Logger;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long to wait for the database (./pg-timeouts.ts); each unset one takes its default. */
  timeouts?: Partial<PgTimeouts>;
  /** Largest group commit. Default 1000. */
  maxBatch?: number;
  /** Records per page in PluginRecords.scan. Default 5000. */
  recordsPageSize?: number;
  /** A plugin isolate's store beside the service's: it says nothing at open (the service's store did). */
  attached?: boolean;
}

/** What the store runs with (for the start-up log and tests). */
export interface PostgresSettings {
  /** user@host:port/database (no password). */
  target: string;
  schema: string;
  schemaVersion: number;
  poolSize: number;
  maxBatch: number;
  timeouts: PgTimeouts;
}

interface DeliveryRow {
  plugin: string;
  event_seq: string;
  event_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string;
  updated_at: string;
}

interface QuarantineRow {
  id: string;
  received_at: string;
  sdk_app_id: string | null;
  command: string | null;
  raw: string;
  query: string;
  reason: string;
  status: QuarantineStatus;
  note: string | null;
}

export class PostgresStore implements Store {
  readonly engine = 'postgres' as const;

  private readonly connectionString: string;
  private readonly target: PgTarget;
  private readonly poolSize: number;
  private readonly timeouts: PgTimeouts;
  private readonly maxBatch: number;
  private readonly recordsPageSize: number;
  private readonly logger: Logger | undefined;
  private readonly attached: boolean;

  private pool: Pool | null = null;
  private schema = '';
  private schemaVersion = 0;
  /** The server's synchronous_commit for our connections (read at open). */
  private synchronousCommit = 'unknown';
  private lockKeys: LockKeys | null = null;
  private appends: GroupCommit<EventColumns, AppendResult> | null = null;
  private readonly pluginRecords = new Map<string, PgPluginRecords>();
  private opening: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: PostgresStoreOptions) {
    if (typeof options.connectionString !== 'string' || options.connectionString.length === 0) {
      throw new LivehookError('CONFIG_INVALID', 'the PostgreSQL store needs DATABASE_URL (postgres://user@host:port/database)', {
        field: 'DATABASE_URL',
      });
    }
    this.connectionString = options.connectionString;
    this.target = describeTarget(options.connectionString);
    this.poolSize = options.poolSize ?? 10;
    this.timeouts = { ...DEFAULT_PG_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
    this.maxBatch = options.maxBatch ?? 1000;
    this.recordsPageSize = options.recordsPageSize ?? 5000;
    this.logger = options.logger;
    this.attached = options.attached ?? false;
  }

  /** How a plugin isolate opens its own pool on the same database (see ../store-link.ts). */
  linkOptions(): { connectionString: string; timeouts: PgTimeouts } {
    return { connectionString: this.connectionString, timeouts: { ...this.timeouts } };
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
    const { connectTimeoutMs, statementTimeoutMs, idleInTransactionTimeoutMs } = this.timeouts;
    // Parameters in DATABASE_URL (?statement_timeout=..., ?application_name=...) win over these.
    const pool = new Pool({
      connectionString: this.connectionString,
      max: this.poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
      query_timeout: statementTimeoutMs + CLIENT_GRACE_MS,
      application_name: 'livehook',
    });
    // An idle connection that dies (server restart, network) is dropped by the
    // pool and replaced on next use; without a listener it would crash the process.
    // Checked-out connections are guarded by withSession and pool.query.
    pool.on('error', (err) => this.logger?.warn({ target: this.target.description, err: this.describe(err) }, 'an idle PostgreSQL connection failed; it will be replaced'));
    try {
      await withSession(
        pool,
        { queryTimeoutMs: MIGRATION_TIMEOUT_MS },
        async (session) => {
          // Migrations take what they take (see MIGRATION_TIMEOUT_MS); this connection is closed after.
          await session.query('SET statement_timeout = 0');
          this.schema = await this.currentSchema(session);
          this.lockKeys = lockKeysFor(this.schema);
          const outcome = await migratePg(session, PG_MIGRATIONS, {
            where: this.where(),
            lockKey: this.lockKeys.migrate,
            describe: (err) => this.describe(err),
            logger: this.logger,
          });
          this.schemaVersion = outcome.version;
          this.synchronousCommit = (await session.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? 'unknown';
        },
        { discard: true },
      );
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (isLivehookError(err)) throw err;
      throw new LivehookError('STORE_FAILED', `cannot open the store in ${this.where()}: ${this.describe(err)}`, { target: this.target.description }, { cause: err });
    }
    this.pool = pool;
    this.appends = this.makeGroupCommit(pool);
    if (this.attached) return;
    this.logger?.info(this.settings(), 'store opened');
    if (this.synchronousCommit === 'off') {
      // The OK livehook sends means "on disk" only if the server waits for its WAL flush.
      this.logger?.warn(
        { target: this.target.description, synchronousCommit: this.synchronousCommit },
        'PostgreSQL runs with synchronous_commit = off: a callback answered OK can be lost if the database server crashes; set it to on (ALTER ROLE ... SET synchronous_commit = on) for livehook',
      );
    }
  }

  /** The schema tables go to: the first existing one on the search_path. */
  private async currentSchema(client: PgSession): Promise<string> {
    const { rows } = await client.query<{ schema: string | null; search_path: string }>(
      "SELECT current_schema() AS schema, current_setting('search_path') AS search_path",
    );
    const row = rows[0]!;
    if (row.schema === null) {
      throw new LivehookError(
        'STORE_SCHEMA',
        `no schema of the search_path (${row.search_path}) exists in ${this.target.description}; ` +
          'create it (CREATE SCHEMA ...) or name an existing one in DATABASE_URL (?options=-c%20search_path%3D<schema>)',
        { target: this.target.description, searchPath: row.search_path },
      );
    }
    return row.schema;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.opening) await this.opening.catch(() => undefined);
      // Everything already accepted gets its commit before the pool goes.
      if (this.appends) await this.appends.flush();
      const pool = this.pool;
      this.pool = null;
      if (pool) await pool.end();
    })();
    return this.closing;
  }

  async ping(): Promise<void> {
    await this.run('ping', SQL.ping, []);
  }

  settings(): PostgresSettings {
    return {
      target: this.target.description,
      schema: this.schema,
      schemaVersion: this.schemaVersion,
      poolSize: this.poolSize,
      maxBatch: this.maxBatch,
      timeouts: { ...this.timeouts },
    };
  }

  /** Group-commit counters since open (commits, events, failed commits, largest batch). */
  commitStats(): GroupCommitStats {
    return this.appends?.stats() ?? { commits: 0, items: 0, failedCommits: 0, largestBatch: 0 };
  }

  // --- ingest --------------------------------------------------------------------

  append(event: CallbackEvent, options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closing || !this.appends) return Promise.reject(this.closedError());
    let columns: EventColumns;
    try {
      columns = toEventColumns(event, options.bodyFromRaw);
    } catch (err) {
      return Promise.reject(err);
    }
    const refused = pgColumnProblem(columns);
    if (refused) {
      return Promise.reject(
        new LivehookError('STORE_FAILED', `cannot store event ${escapeNul(columns.id)}: ${refused.field} ${refused.problem}`, {
          field: refused.field,
        }),
      );
    }
    return this.appends.push(toPgEventColumns(columns));
  }

  pendingWrites(): number {
    return this.appends?.pending ?? 0;
  }

  pendingWriteBytes(): number {
    return this.appends?.pendingWeight ?? 0;
  }

  async latestSeq(): Promise<number> {
    const { rows } = await this.run<{ seq: string }>('read the latest seq', SQL.latestSeq, []);
    return Number(rows[0]!.seq);
  }

  private makeGroupCommit(pool: Pool): GroupCommit<EventColumns, AppendResult> {
    const lockKey = this.lockKeys!.append;
    return new GroupCommit<EventColumns, AppendResult>({
      maxBatch: this.maxBatch,
      maxWeight: MAX_BATCH_BYTES,
      weigh: columnsWeight,
      commit: (batch) => {
        // One budget for the whole commit, the wait for a connection included (./pg-timeouts.ts).
        const budgetMs = commitBudgetMs(this.timeouts, batch.reduce((sum, c) => sum + columnsWeight(c), 0));
        const limits = { queryTimeoutMs: budgetMs + CLIENT_GRACE_MS, deadline: Date.now() + budgetMs + CLIENT_GRACE_MS };
        return withSession(pool, limits, (session) => commitEventBatch(session, lockKey, batch, budgetMs));
      },
      wrapError: (err, size) => {
        this.logger?.error({ err: this.describe(err), target: this.target.description, events: size }, 'group commit failed; every event in it was refused');
        return this.failure(`commit ${size} event(s)`, err);
      },
    });
  }

  // --- the log ---------------------------------------------------------------------

  async readEvents(afterSeq: number, limit: number, maxBytes = Infinity): Promise<StoredEvent[]> {
    const action = `read events after seq ${afterSeq}`;
    let upTo = Number.MAX_SAFE_INTEGER;
    if (Number.isFinite(maxBytes)) {
      // The sizes first (PostgreSQL knows them without reading the bodies), then only the rows that fit.
      const { rows: sizes } = await this.run<{ seq: string; bytes: string }>(action, SQL.eventSizes, [afterSeq, limit]);
      let bytes = 0;
      for (const size of sizes) {
        upTo = Number(size.seq);
        bytes += Number(size.bytes);
        if (bytes >= maxBytes) break;
      }
      if (sizes.length === 0) return [];
    }
    const { rows } = await this.run<EventRow>(action, SQL.readEventsUpTo, [afterSeq, upTo, limit]);
    return rows.map((row) => fromEventColumns(fromPgEventRow(row)));
  }

  async getEvent(seq: number): Promise<StoredEvent | null> {
    const { rows } = await this.run<EventRow>(`read event seq ${seq}`, SQL.getEvent, [seq]);
    return rows.length > 0 ? fromEventColumns(fromPgEventRow(rows[0]!)) : null;
  }

  async findDecision(eventId: string): Promise<DecisionRecord | null> {
    const { rows } = await this.run<{ decision: string | null }>(`read the decision of event ${eventId}`, SQL.decisionById, [eventId]);
    const text = rows[0]?.decision;
    return text ? (JSON.parse(text) as DecisionRecord) : null;
  }

  // --- cursors -----------------------------------------------------------------------

  async getCursor(plugin: string): Promise<number | null> {
    const { rows } = await this.run<{ seq: string }>(`read the cursor of plugin ${plugin}`, SQL.getCursor, [plugin]);
    return rows.length > 0 ? Number(rows[0]!.seq) : null;
  }

  async setCursor(plugin: string, seq: number): Promise<void> {
    await this.run(`move the cursor of plugin ${plugin} to seq ${seq}`, SQL.setCursor, [plugin, seq, Date.now()]);
  }

  // --- failed deliveries ---------------------------------------------------------------

  async recordFailure(failure: DeliveryFailure): Promise<void> {
    const { rowCount } = await this.run(`record a failed delivery of seq ${failure.eventSeq} to plugin ${failure.plugin}`, SQL.recordFailure, [
      failure.plugin,
      failure.nextAttemptAt === null ? 'dead' : 'retrying',
      failure.attempts,
      failure.nextAttemptAt,
      failure.error,
      Date.now(),
      failure.eventSeq,
    ]);
    if (rowCount === 0) {
      throw new LivehookError(
        'STORE_FAILED',
        `cannot record a failed delivery of event seq ${failure.eventSeq} to plugin ${failure.plugin}: no such event in the log`,
        { plugin: failure.plugin, eventSeq: failure.eventSeq },
      );
    }
  }

  async markDelivered(plugin: string, eventSeq: number): Promise<void> {
    await this.run(`mark seq ${eventSeq} delivered to plugin ${plugin}`, SQL.markDelivered, [plugin, eventSeq]);
  }

  async dueRetries(plugin: string, now: number, limit: number): Promise<Array<{ delivery: DeliveryRecord; event: StoredEvent }>> {
    const { rows } = await this.run<DeliveryRow & EventRow>(`read due retries of plugin ${plugin}`, SQL.dueRetries, [plugin, now, limit]);
    return rows.map((row) => ({ delivery: toDelivery(row), event: fromEventColumns(fromPgEventRow(row)) }));
  }

  async listDeliveries(filter: { plugin?: string; status?: DeliveryStatus } = {}): Promise<DeliveryRecord[]> {
    const { rows } = await this.run<DeliveryRow>('list failed deliveries', SQL.listDeliveries, [filter.plugin ?? null, filter.status ?? null]);
    return rows.map(toDelivery);
  }

  async requeueDead(plugin: string | undefined, now: number): Promise<number> {
    const { rowCount } = await this.run(`requeue dead deliveries${plugin ? ` of plugin ${plugin}` : ''}`, SQL.requeueDead, [plugin ?? null, now]);
    return rowCount;
  }

  async countDeliveries(): Promise<Array<{ plugin: string; status: DeliveryStatus; count: number }>> {
    const { rows } = await this.run<{ plugin: string; status: DeliveryStatus; count: string }>('count failed deliveries', SQL.countDeliveries, []);
    return rows.map((r) => ({ plugin: r.plugin, status: r.status, count: Number(r.count) }));
  }

  // --- quarantine ---------------------------------------------------------------------

  async quarantine(input: QuarantineInput): Promise<number> {
    // PostgreSQL text cannot hold NUL. A body refused for a raw NUL must still be
    // kept (its 400 goes out only then), so each NUL is kept as the text \u0000.
    const hasNul = input.raw.includes('\u0000');
    const { rows } = await this.run<{ id: string }>('quarantine a request', SQL.quarantine, [
      input.receivedAt,
      input.sdkAppId === null ? null : escapeNul(input.sdkAppId),
      input.command === null ? null : escapeNul(input.command),
      escapeNul(input.raw),
      JSON.stringify(input.query ?? {}),
      hasNul ? `${escapeNul(input.reason)} (the body held NUL characters, kept here as the text \\u0000)` : escapeNul(input.reason),
    ]);
    return Number(rows[0]!.id);
  }

  async listQuarantine(status?: QuarantineStatus): Promise<QuarantineRecord[]> {
    const { rows } = await this.run<QuarantineRow>('list quarantined requests', SQL.listQuarantine, [status ?? null]);
    return rows.map((row) => ({
      id: Number(row.id),
      receivedAt: Number(row.received_at),
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
    const { rowCount } = await this.run(`set the status of quarantined request ${id}`, SQL.setQuarantineStatus, [id, status, note]);
    if (rowCount === 0) {
      throw new LivehookError('NOT_FOUND', `no quarantined request with id ${id} (see the list of quarantined requests)`, { id });
    }
  }

  // --- leases ---------------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.run(`take the lease ${name}`, SQL.acquireLease, [name, owner, Math.ceil(ttlMs)]);
    return rowCount === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.run(`release the lease ${name}`, SQL.releaseLease, [name, owner]);
  }

  // --- plugin data ------------------------------------------------------------------------

  records(plugin: string): PluginRecords {
    if (typeof plugin !== 'string' || plugin.length === 0) {
      throw new LivehookError('PLUGIN_INVALID', 'records(plugin) needs the plugin name (a non-empty string)', { plugin });
    }
    let records = this.pluginRecords.get(plugin);
    if (!records) {
      records = new PgPluginRecords(plugin, (action, text, values) => this.run(action, text, values), this.recordsPageSize, (action, work) => this.inSession(action, work));
      this.pluginRecords.set(plugin, records);
    }
    return records;
  }

  // --- retention --------------------------------------------------------------------------

  async prune(before: number, plugins: string[]): Promise<PruneResult> {
    const action = `prune events received before ${new Date(before).toISOString()}`;
    const pool = this.connection();
    const { pruneTimeoutMs } = this.timeouts;
    try {
      return await prunePg((work) => withSession(pool, { queryTimeoutMs: pruneTimeoutMs + CLIENT_GRACE_MS }, work), pruneTimeoutMs, before, plugins);
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  // --- internals ----------------------------------------------------------------------------

  /**
   * One statement on a pooled connection (pool.query guards the connection
   * while it is out); a driver error becomes a LivehookError that says what
   * was being done.
   */
  private async run<R extends object>(action: string, text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number }> {
    const pool = this.connection();
    try {
      const result = await pool.query<R>(text, values);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  /** STORE_UNAVAILABLE (503, retry later) while the database cannot be reached or does not answer in time; else STORE_FAILED. */
  /** Several statements on one connection (a transaction `work` opens and ends); errors become STORE_FAILED. */
  private async inSession<T>(action: string, work: (session: PgSession) => Promise<T>): Promise<T> {
    const pool = this.connection();
    try {
      return await withSession(pool, { queryTimeoutMs: this.timeouts.statementTimeoutMs + CLIENT_GRACE_MS }, work);
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  private failure(action: string, err: unknown): LivehookError {
    if (isLivehookError(err)) return err;
    const what = `could not ${action} in ${this.where()}: ${this.describe(err)}`;
    const unavailable = unavailability(err);
    if (unavailable) {
      const state = unavailable === 'too slow' ? 'did not answer in time' : 'is unreachable';
      return new LivehookError('STORE_UNAVAILABLE', `the database ${state} (${what}); retry later`, { target: this.target.description }, { cause: err });
    }
    return new LivehookError('STORE_FAILED', what, { target: this.target.description }, { cause: err });
  }

  private describe(err: unknown): string {
    return describePgError(err, this.target.secret);
  }

  /** "PostgreSQL user@host:port/db (schema s)" for messages. */
  private where(): string {
    return `PostgreSQL ${this.target.description}${this.schema ? ` (schema ${this.schema})` : ''}`;
  }

  private connection(): Pool {
    if (!this.pool) throw this.closedError();
    return this.pool;
  }

  private closedError(): LivehookError {
    const state = this.closing ? 'closed' : 'not open yet (call open() first)';
    return new LivehookError('STORE_FAILED', `the PostgreSQL store ${this.target.description} is ${state}`, { target: this.target.description });
  }
}

/** Keeps the keys whose value is not undefined (so they do not hide a default when spread over it). */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    plugin: row.plugin,
    eventSeq: Number(row.event_seq),
    eventId: fromPgText(row.event_id),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastError: row.last_error,
    updatedAt: Number(row.updated_at),
  };
}
