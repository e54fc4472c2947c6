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
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { LivehookError } from '../../errors';
import { FailureSpell } from '../../log/failure-spell';
import type { ReadName, ReadStatements, WriteName, WriteResult, WriteStatements } from '../core/statements';
import { StoreCore } from '../core/store-core';
import { MAX_BATCH_BYTES, type EventColumns, type EventRow, columnsWeight } from '../event-columns';
import { GroupCommit, type GroupCommitStats } from '../group-commit';
import { escapeNul } from '../nul';
import type { AppendResult, CounterChange, PruneResult, QuarantineInput, StoredEvent } from '../store';
import { commitEventBatch, pgColumnProblem } from './append-batch';
import { addCounters } from './counters';
import { openPg, pgWhere, warnUnlessDurable } from './pg-open';
import { type PgSession, withSession } from './pg-session';
import { describePgError, describeTarget, pgFailure, type PgTarget } from './pg-target';
import { fromPgEventRow, fromPgText, toPgEventColumns, toPgQuarantine } from './pg-text';
import { CLIENT_GRACE_MS, type PgTimeouts, commitBudgetMs, withDefaults } from './pg-timeouts';
import { prunePg } from './prune';
import { NAMED_SQL, SQL } from './statements';

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

export class PostgresStore extends StoreCore {
  readonly engine = 'postgres' as const;
  protected readonly refusesNul = true;

  private readonly connectionString: string;
  private readonly target: PgTarget;
  private readonly poolSize: number;
  private readonly timeouts: PgTimeouts;
  private readonly maxBatch: number;
  private readonly logger: Logger | undefined;
  /** An outage fails every commit: said once, summed up, and its end said. */
  private readonly commitFailures: FailureSpell | null;
  private readonly attached: boolean;

  private pool: Pool | null = null;
  private schema = '';
  private schemaVersion = 0;
  private appends: GroupCommit<EventColumns, AppendResult> | null = null;

  constructor(options: PostgresStoreOptions) {
    super(options.recordsPageSize ?? 5000);
    if (typeof options.connectionString !== 'string' || options.connectionString.length === 0) {
      throw new LivehookError('CONFIG_INVALID', 'the PostgreSQL store needs DATABASE_URL (postgres://user@host:port/database)', {
        field: 'DATABASE_URL',
      });
    }
    this.connectionString = options.connectionString;
    this.target = describeTarget(options.connectionString);
    this.poolSize = options.poolSize ?? 10;
    this.timeouts = withDefaults(options.timeouts ?? {});
    this.maxBatch = options.maxBatch ?? 1000;
    this.logger = options.logger;
    this.commitFailures = options.logger ? new FailureSpell(options.logger, 'group commits') : null;
    this.attached = options.attached ?? false;
  }

  /** How a plugin isolate opens its own pool on the same database (see ../store-link.ts). */
  linkOptions(): { connectionString: string; timeouts: PgTimeouts } {
    return { connectionString: this.connectionString, timeouts: { ...this.timeouts } };
  }

  // --- lifecycle ---------------------------------------------------------------

  protected async connect(): Promise<void> {
    const opened = await openPg({ connectionString: this.connectionString, target: this.target, poolSize: this.poolSize, timeouts: this.timeouts, logger: this.logger });
    ({ schema: this.schema, schemaVersion: this.schemaVersion } = opened);
    this.pool = opened.pool;
    this.appends = this.makeGroupCommit(opened.pool, opened.lockKeys.append);
    if (this.attached) return;
    this.logger?.info(this.settings(), 'store opened');
    warnUnlessDurable(opened, this.target, this.logger);
  }

  protected async disconnect(): Promise<void> {
    // Everything already accepted gets its commit before the pool goes.
    if (this.appends) await this.appends.flush();
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.end();
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

  // --- ingest and the log ----------------------------------------------------------

  protected appendColumns(columns: EventColumns): Promise<AppendResult> {
    if (!this.appends) return Promise.reject(this.closedError());
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

  private makeGroupCommit(pool: Pool, lockKey: string): GroupCommit<EventColumns, AppendResult> {
    return new GroupCommit<EventColumns, AppendResult>({
      maxBatch: this.maxBatch,
      maxWeight: MAX_BATCH_BYTES,
      weigh: columnsWeight,
      commit: async (batch) => {
        // One budget for the whole commit, the wait for a connection included (./pg-timeouts.ts).
        const budgetMs = commitBudgetMs(this.timeouts, batch.reduce((sum, c) => sum + columnsWeight(c), 0));
        const limits = { queryTimeoutMs: budgetMs + CLIENT_GRACE_MS, deadline: Date.now() + budgetMs + CLIENT_GRACE_MS };
        const results = await withSession(pool, limits, (session) => commitEventBatch(session, lockKey, batch, budgetMs));
        this.commitFailures?.succeeded();
        return results;
      },
      wrapError: (err, size) => {
        this.commitFailures?.failed({ err: describePgError(err, this.target.secret), target: this.target.description, events: size }, 'group commit failed; every event in it was refused');
        return this.failure(`commit ${size} event(s)`, err);
      },
    });
  }

  async readEvents(afterSeq: number, limit: number, maxBytes = Infinity): Promise<StoredEvent[]> {
    const action = `read events after seq ${afterSeq}`;
    let upTo = Number.MAX_SAFE_INTEGER;
    if (Number.isFinite(maxBytes)) {
      // The sizes first (PostgreSQL knows them without reading the bodies), then only the rows that fit.
      const { rows: sizes } = await this.query<{ seq: string; bytes: string }>(action, SQL.eventSizes, [afterSeq, limit]);
      let bytes = 0;
      for (const size of sizes) {
        upTo = Number(size.seq);
        bytes += Number(size.bytes);
        if (bytes >= maxBytes) break;
      }
      if (sizes.length === 0) return [];
    }
    const { rows } = await this.query<EventRow>(action, SQL.readEventsUpTo, [afterSeq, upTo, limit]);
    return rows.map((row) => this.toStoredEvent(row));
  }

  // --- text as PostgreSQL holds it (./pg-text.ts) ----------------------------------------

  protected override decodeEventRow<R extends EventRow>(row: R): R {
    return fromPgEventRow(row);
  }

  protected override decodeText(stored: string): string {
    return fromPgText(stored);
  }

  protected override quarantineValues(input: QuarantineInput): WriteStatements['quarantine'] {
    return toPgQuarantine(input);
  }

  // --- named statements ----------------------------------------------------------------

  async read<R extends object, N extends ReadName = ReadName>(action: string, name: N, params: ReadStatements[N]): Promise<R[]> {
    return (await this.query<R>(action, NAMED_SQL[name], params)).rows;
  }

  async write<R extends object, N extends WriteName = WriteName>(action: string, name: N, params: WriteStatements[N]): Promise<WriteResult<R>> {
    const { rows, rowCount } = await this.query<R>(action, NAMED_SQL[name], params);
    return { rows, changes: rowCount };
  }

  protected addCounters(action: string, plugin: string, changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }> {
    return this.inSession(action, this.timeouts.statementTimeoutMs, (session) => addCounters(session, plugin, changes));
  }

  async prune(before: number, plugins: string[]): Promise<PruneResult> {
    const { pruneTimeoutMs } = this.timeouts;
    const action = `prune events received before ${new Date(before).toISOString()}`;
    // Each chunk on a connection of its own (./prune.ts).
    return prunePg((work) => this.inSession(action, pruneTimeoutMs, work), pruneTimeoutMs, before, plugins);
  }

  // --- internals ----------------------------------------------------------------------------

  /**
   * One statement on a pooled connection (pool.query guards the connection
   * while it is out); a driver error becomes a LivehookError that says what
   * was being done.
   */
  private async query<R extends object>(action: string, text: string, values: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }> {
    const pool = this.connection();
    try {
      const result = await pool.query<R>(text, values as unknown[]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  /** Several statements on one connection (a transaction `work` opens and ends), each answered within timeoutMs. */
  private async inSession<T>(action: string, timeoutMs: number, work: (session: PgSession) => Promise<T>): Promise<T> {
    const pool = this.connection();
    try {
      return await withSession(pool, { queryTimeoutMs: timeoutMs + CLIENT_GRACE_MS }, work);
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  private failure(action: string, err: unknown): LivehookError {
    return pgFailure(action, err, this.target, this.where());
  }

  private where(): string {
    return pgWhere(this.target, this.schema);
  }

  protected describeStore(): string {
    return `the PostgreSQL store ${this.target.description}`;
  }

  protected storeDetails(): Record<string, unknown> {
    return { target: this.target.description };
  }

  private connection(): Pool {
    if (!this.pool) throw this.closedError();
    return this.pool;
  }
}
