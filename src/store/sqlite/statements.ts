/**
 * Every SQL statement of the SQLite store, prepared once per connection.
 *
 * The statements the core calls by name (../core/statements.ts; those both
 * dialects read alike are in ../core/sql.ts) take the same numbered
 * parameters as their PostgreSQL twins ($1, $2, ...: SQLite reads `$1` as a
 * named parameter, bound from { 1: ..., 2: ... } by bindParams). The rest are this engine's own: the append path, the
 * writer's procedures (./procedures.ts) and retention (./prune.ts).
 * `json_each(?)` passes a list as one JSON parameter where PostgreSQL uses
 * `= ANY($1::bigint[])`.
 *
 * Every LIMIT is written `LIMIT $n + 0`, never a bare `LIMIT $n`:
 * better-sqlite3 builds SQLite with STAT4, where the planner reads a bare
 * LIMIT parameter, so binding it makes SQLite prepare the statement again on
 * every call (measured: 7 instead of 3 µs for an empty record scan, 21
 * instead of 3 µs for dueRetries, which each plugin runs on every pass).
 */
import type Database from 'better-sqlite3';
import { DELIVERY_COLUMNS, DUE_RETRIES_SELECT, EVENT_COLUMNS, SHARED_SQL } from '../core/sql';
import type { ReadName, WriteName } from '../core/statements';

/** The named statements of the core, in SQLite (putRecord is a procedure: ./procedures.ts). */
const NAMED: Record<ReadName | Exclude<WriteName, 'putRecord'>, string> = {
  ...SHARED_SQL,

  /** Takes event_id from the log, and writes nothing when the event does not exist. */
  recordFailure: `
    INSERT INTO deliveries (${DELIVERY_COLUMNS})
    SELECT $1, seq, id, $2, $3, $4, $5, $6 FROM events WHERE seq = $7
    ON CONFLICT (plugin, event_seq) DO UPDATE SET
      status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
      last_error = excluded.last_error, updated_at = excluded.updated_at`,
  dueRetries: `${DUE_RETRIES_SELECT}
    LIMIT $3 + 0`,
  listDeliveries: `
    SELECT ${DELIVERY_COLUMNS} FROM deliveries
    WHERE ($1 IS NULL OR plugin = $1) AND ($2 IS NULL OR status = $2)
    ORDER BY plugin, event_seq`,
  requeueDead: `
    UPDATE deliveries SET status = 'retrying', attempts = 0, next_attempt_at = $2, updated_at = $2
    WHERE status = 'dead' AND ($1 IS NULL OR plugin = $1)`,

  listQuarantine: `
    SELECT id, received_at, sdk_app_id, command, raw, query, reason, status, note FROM quarantine
    WHERE ($1 IS NULL OR status = $1) ORDER BY id`,

  findQuarantine: `
    SELECT id, received_at, sdk_app_id, command, raw, query, reason, status, note FROM quarantine WHERE id = $1`,

  /** Changes one row when the lease was free, expired, or already ours. */
  acquireLease: `
    INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $4 + $3)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE leases.owner = excluded.owner OR leases.expires_at <= $4`,

  /** A claim is taken when new or when its expiresAt (a number) has passed; a record without one is held for good. */
  claimRecord: `
    INSERT INTO plugin_records (plugin, collection, key, at, value)
    VALUES ($1, $2, $3, $4, json_object('owner', $5, 'claimedAt', $7, 'expiresAt', $7 + $6))
    ON CONFLICT (plugin, collection, key) DO UPDATE SET at = excluded.at, value = excluded.value
    WHERE json_type(plugin_records.value, '$.expiresAt') IN ('integer', 'real')
      AND json_extract(plugin_records.value, '$.expiresAt') <= $7`,
  releaseClaim: `
    DELETE FROM plugin_records
    WHERE plugin = $1 AND collection = $2 AND key = $3 AND json_extract(value, '$.owner') = $4`,
  renewClaim: `
    UPDATE plugin_records SET value = json_set(value, '$.expiresAt', $6 + $5)
    WHERE plugin = $1 AND collection = $2 AND key = $3 AND json_extract(value, '$.owner') = $4`,

  deleteRecordsBefore: `
    DELETE FROM plugin_records WHERE plugin = $1 AND collection = $2 AND at < $3 AND key IN (
      SELECT key FROM plugin_records WHERE plugin = $1 AND collection = $2 AND at < $3 ORDER BY at LIMIT $4 + 0)`,
  scanFirstPage: `
    SELECT key, at, value FROM plugin_records
    WHERE plugin = $1 AND collection = $2 AND at >= $3 AND at < $4
    ORDER BY at, key LIMIT $5 + 0`,
  scanNextPage: `
    SELECT key, at, value FROM plugin_records
    WHERE plugin = $1 AND collection = $2 AND (at, key) > ($3, $4) AND at < $5
    ORDER BY at, key LIMIT $6 + 0`,
};

export function prepareStatements(db: Database.Database) {
  const named = Object.fromEntries(Object.entries(NAMED).map(([name, sql]) => [name, db.prepare(sql)])) as Record<keyof typeof NAMED, Database.Statement>;
  return {
    named,

    // --- the append path (the writer's group commit) -------------------------------------
    insertEvent: db.prepare(
      `INSERT INTO events (id, command, known, sdk_app_id, room_id, event_type, event_time, operator_account, received_at, body, raw, query, decision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    eventSeqById: db.prepare('SELECT seq FROM events WHERE id = ?').pluck(),
    readEvents: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ? + 0`),

    // --- the writer's procedures ------------------------------------------------------------
    recordExists: db.prepare('SELECT 1 FROM plugin_records WHERE plugin = ? AND collection = ? AND key = ?').pluck(),
    recordValue: db.prepare('SELECT value FROM plugin_records WHERE plugin = ? AND collection = ? AND key = ?').pluck(),
    upsertRecord: db.prepare(
      `INSERT INTO plugin_records (plugin, collection, key, at, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (plugin, collection, key) DO UPDATE SET at = excluded.at, value = excluded.value`,
    ),

    // --- retention ----------------------------------------------------------------------------
    /** The slowest listed plugin's cursor; NULL when none of them has one. SQLite-ism: json_each. */
    minCursor: db.prepare('SELECT MIN(seq) FROM plugin_cursors WHERE plugin IN (SELECT value FROM json_each(?))').pluck(),
    /** Old events in (received_at, seq) order after a position, so each chunk resumes where the last stopped. */
    pruneCandidates: db.prepare(
      `SELECT seq, received_at FROM events
       WHERE received_at < @before AND (received_at, seq) > (@at, @seq)
       ORDER BY received_at, seq LIMIT @limit + 0`,
    ),
    /** Dead deliveries of the listed events, unless some other delivery of that event is still retrying. */
    pruneDeadDeliveries: db.prepare(
      `DELETE FROM deliveries
       WHERE status = 'dead' AND event_seq IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.event_seq = deliveries.event_seq AND r.status = 'retrying')`,
    ),
    pruneEvents: db.prepare(
      `DELETE FROM events
       WHERE seq IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = events.seq AND d.status = 'retrying')`,
    ),
    pruneQuarantine: db.prepare("DELETE FROM quarantine WHERE received_at < ? AND status <> 'held'"),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Positional parameters as the { 1: ..., 2: ... } that binds `$1`, `$2`, ... */
export function bindParams(params: readonly unknown[]): Record<number, unknown> {
  const bound: Record<number, unknown> = {};
  for (let i = 0; i < params.length; i++) bound[i + 1] = params[i];
  return bound;
}
