/**
 * How long the PostgreSQL store waits for the database, and why so long.
 *
 * Without limits a network partition hangs a request on an open connection
 * until TCP gives up (many minutes), and a session that vanished while
 * holding the append lock blocks every instance's commits. Each limit is
 * set twice: on the server (statement_timeout, idle_in_transaction_session_timeout,
 * so it stops work nobody waits for and lets go of its locks) and on the
 * client (pg's query_timeout, CLIENT_GRACE_MS later, for when the server's
 * own answer cannot arrive). Configured in livehook.json under
 * `store.postgres` (README, "PostgreSQL").
 */

export interface PgTimeouts {
  /** Wait for a connection: a free one from the pool, or a new one. */
  connectTimeoutMs: number;
  /** Any one statement that has no limit of its own (reads, cursors, leases, records, quarantine, ping). */
  statementTimeoutMs: number;
  /** One group commit, from asking for a connection to COMMIT's answer, plus COMMIT_MS_PER_MIB per MiB it carries. */
  commitTimeoutMs: number;
  /** Each statement of a prune chunk. */
  pruneTimeoutMs: number;
  /** A session that stops talking in the middle of a transaction is ended by the server after this. */
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_PG_TIMEOUTS: Readonly<PgTimeouts> = {
  // Opening a connection takes milliseconds (tens with TLS across a region); waiting
  // longer only holds callbacks that will fail anyway, and /readyz gives up after 2 s.
  connectTimeoutMs: 2000,
  // The largest statement is a plugin's read of up to delivery.batchBytes (8 MiB):
  // well under a second (200 MB took 2 s on a small machine). 5 s leaves room for a
  // loaded server and still ends a hang soon.
  statementTimeoutMs: 5000,
  // Tencent waits 2 s for an answer. A batch of ordinary callbacks commits in tens
  // of ms; 1.5 s leaves the answer time to travel. A batch of large bodies gets
  // more (COMMIT_MS_PER_MIB): cutting it short would fail it on every retry.
  commitTimeoutMs: 1500,
  // A chunk deletes 1,000 events and their dead deliveries: well under a second
  // usually, longer on a cold cache or a bloated table; it runs at night, nobody waits.
  pruneTimeoutMs: 30_000,
  // livehook never pauses inside a transaction except to send the next statement,
  // which for a 64 MB batch on a slow link takes seconds: 10 s covers 6.4 MB/s.
  idleInTransactionTimeoutMs: 10_000,
};

/**
 * The client waits this much longer than the server's limit, so that a slow
 * server's own cancel ("canceling statement due to statement timeout")
 * arrives first and says what happened; only a cut network reaches the
 * client's limit.
 */
export const CLIENT_GRACE_MS = 500;

/** Extra time a group commit gets per MiB of events: the bytes must travel and be written (about 65 ms/MiB measured locally). */
export const COMMIT_MS_PER_MIB = 100;

/**
 * Schema migrations run without a server time-out (a migration that rewrites
 * rows of a large table takes what it takes; instances starting meanwhile
 * wait for its lock) and with this client one, only so that a partition
 * during start-up does not hang the start for ever.
 */
export const MIGRATION_TIMEOUT_MS = 30 * 60 * 1000;

/** The time one group commit of `bytes` may take. */
export function commitBudgetMs(timeouts: PgTimeouts, bytes: number): number {
  return timeouts.commitTimeoutMs + Math.ceil((bytes / (1024 * 1024)) * COMMIT_MS_PER_MIB);
}

/** The time-outs given, each unset (or undefined) one at its default. */
export function withDefaults(timeouts: Partial<PgTimeouts>): PgTimeouts {
  const given = Object.entries(timeouts).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_PG_TIMEOUTS, ...(Object.fromEntries(given) as Partial<PgTimeouts>) };
}
