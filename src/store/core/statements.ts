/**
 * The statements both engines share, by name, with their parameters in the
 * order both dialects number them ($1, $2, ...). The core (./store-core.ts)
 * calls them by these names; each engine's statements.ts holds the SQL in
 * its own dialect. A statement that is not one statement in an engine (a
 * SQLite put, which checks for the key first) is a procedure of that
 * engine's writer under the same name.
 */
import type { DeliveryStatus, QuarantineStatus } from '../store';

/** Reads: they answer rows. */
export interface ReadStatements {
  ping: [];
  /** Row: { seq } */
  latestSeq: [];
  /** Row: an event row (./rows.ts) */
  getEvent: [seq: number];
  /** Row: { decision } */
  decisionById: [eventId: string];
  /** Row: { seq } */
  getCursor: [plugin: string];
  /** Rows: a delivery and its event, joined. */
  dueRetries: [plugin: string, now: number, limit: number];
  listDeliveries: [plugin: string | null, status: DeliveryStatus | null];
  /** Rows: { plugin, status, count } */
  countDeliveries: [];
  listQuarantine: [status: QuarantineStatus | null];
  findQuarantine: [id: number];
  /** Row: { key, at, value } */
  getRecord: [plugin: string, collection: string, key: string];
  scanFirstPage: [plugin: string, collection: string, from: number, to: number, limit: number];
  /** The page after (at, key): keyset paging. */
  scanNextPage: [plugin: string, collection: string, at: number, key: string, to: number, limit: number];
}

/** Writes: they answer the rows they return (if any) and how many rows they changed. */
export interface WriteStatements {
  setCursor: [plugin: string, seq: number, now: number];
  /** Changes nothing when the event is not in the log. */
  recordFailure: [plugin: string, status: DeliveryStatus, attempts: number, nextAttemptAt: number | null, error: string, now: number, eventSeq: number];
  markDelivered: [plugin: string, eventSeq: number];
  requeueDead: [plugin: string | null, now: number];
  /** Row: { id } */
  quarantine: [receivedAt: number, sdkAppId: string | null, command: string | null, raw: string, query: string, reason: string];
  setQuarantineStatus: [id: number, status: QuarantineStatus, note: string | null];
  /**
   * Changes one row when the lease was free, expired, or already ours.
   * `now` is the caller's clock, which SQLite goes by; PostgreSQL, shared by
   * instances, decides expiry by the database's clock.
   */
  acquireLease: [name: string, owner: string, ttlMs: number, now: number];
  releaseLease: [name: string, owner: string];
  /** Insert or replace. Row: { inserted } (true only for the write that created the row). */
  putRecord: [plugin: string, collection: string, key: string, at: number, value: string];
  deleteRecord: [plugin: string, collection: string, key: string];
  /**
   * PluginRecords.claim: inserts a ClaimValue, or replaces one whose
   * expiresAt has passed; changes one row when taken. ttlMs null: never
   * expires. `now` is the caller's clock, which SQLite goes by; PostgreSQL
   * goes by the database's clock (as acquireLease).
   */
  claimRecord: [plugin: string, collection: string, key: string, at: number, owner: string, ttlMs: number | null, now: number];
  /** Deletes the record when its value names `owner`. */
  releaseClaim: [plugin: string, collection: string, key: string, owner: string];
  /**
   * PluginRecords.renew: sets expiresAt to now + ttlMs when the value names
   * `owner`; changes one row when it did. `now` as in claimRecord.
   */
  renewClaim: [plugin: string, collection: string, key: string, owner: string, ttlMs: number, now: number];
  /** At most `limit` records with at < before. */
  deleteRecordsBefore: [plugin: string, collection: string, before: number, limit: number];
}

export type ReadName = keyof ReadStatements;
export type WriteName = keyof WriteStatements;

export interface WriteResult<R = object> {
  rows: R[];
  changes: number;
}

/** How the core reaches an engine's database: named statements, driver errors already worded as STORE_* errors naming `action`. */
export interface StatementRunner {
  read<R extends object, N extends ReadName = ReadName>(action: string, name: N, params: ReadStatements[N]): Promise<R[]>;
  write<R extends object, N extends WriteName = WriteName>(action: string, name: N, params: WriteStatements[N]): Promise<WriteResult<R>>;
}
