/**
 * Every SQL statement of the PostgreSQL store, side by side with the SQLite
 * ones (src/store/sqlite/statements.ts) they mirror. The statements the core
 * calls by name (../core/statements.ts) take the parameters listed there, in
 * that order; those both dialects read alike are in ../core/sql.ts. Lists travel as one array parameter (`= ANY($1::bigint[])`)
 * where SQLite uses json_each.
 *
 * Times that decide between instances (lease expiry) come from the
 * database's clock, DB_NOW_MS; every other time is written by the caller,
 * as in SQLite.
 */
import { DELIVERY_COLUMNS, DUE_RETRIES_SELECT, EVENT_COLUMNS, SHARED_SQL } from '../core/sql';
import type { ReadName, WriteName } from '../core/statements';

/** Milliseconds since the epoch by the database server's clock (not the transaction start). */
const DB_NOW_MS = '(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint';

export const SQL = {
  /** The statements both dialects read alike. */
  ...SHARED_SQL,

  // --- the log ---------------------------------------------------------------
  /**
   * One statement per batch: the columns as parallel arrays, inserted in the
   * batch's order (WITH ORDINALITY ... ORDER BY), so seqs follow call order
   * and, of two equal ids in one batch, the first is stored. Rows skipped by
   * ON CONFLICT are not returned: those are the duplicates.
   */
  insertEvents: `
    INSERT INTO events (id, command, known, sdk_app_id, room_id, event_type, event_time, operator_account, received_at, body, raw, query, decision)
    SELECT id, command, known, sdk_app_id, room_id, event_type, event_time, operator_account, received_at, body, raw, query, decision
    FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[])
         WITH ORDINALITY AS batch (id, command, known, sdk_app_id, room_id, event_type, event_time, operator_account,
                                   received_at, body, raw, query, decision, position)
    ORDER BY position
    ON CONFLICT (id) DO NOTHING
    RETURNING id, seq`,
  eventSeqsByIds: 'SELECT id, seq FROM events WHERE id = ANY($1::text[])',
  readEvents: `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`,
  readEventsUpTo: `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
  /** octet_length reads a stored value's size from its header: the bodies are not fetched. */
  eventSizes: 'SELECT seq, octet_length(raw) + octet_length(body) AS bytes FROM events WHERE seq > $1 ORDER BY seq LIMIT $2',

  // --- failed deliveries -------------------------------------------------------
  /** Takes event_id from the log, and writes nothing when the event does not exist. */
  recordFailure: `
    INSERT INTO deliveries (${DELIVERY_COLUMNS})
    SELECT $1::text, seq, id, $2::text, $3::integer, $4::bigint, $5::text, $6::bigint FROM events WHERE seq = $7
    ON CONFLICT (plugin, event_seq) DO UPDATE SET
      status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
      last_error = excluded.last_error, updated_at = excluded.updated_at`,
  dueRetries: `${DUE_RETRIES_SELECT}
    LIMIT $3`,
  listDeliveries: `
    SELECT ${DELIVERY_COLUMNS} FROM deliveries
    WHERE ($1::text IS NULL OR plugin = $1) AND ($2::text IS NULL OR status = $2)
    ORDER BY plugin, event_seq`,
  requeueDead: `
    UPDATE deliveries SET status = 'retrying', attempts = 0, next_attempt_at = $2, updated_at = $2
    WHERE status = 'dead' AND ($1::text IS NULL OR plugin = $1)`,

  // --- quarantine ------------------------------------------------------------
  listQuarantine: `
    SELECT id, received_at, sdk_app_id, command, raw, query, reason, status, note FROM quarantine
    WHERE ($1::text IS NULL OR status = $1) ORDER BY id`,

  findQuarantine: `
    SELECT id, received_at, sdk_app_id, command, raw, query, reason, status, note FROM quarantine WHERE id = $1`,

  // --- leases ----------------------------------------------------------------
  /**
   * Returns a row when the lease was free, expired, or already ours. One
   * statement: of two instances racing for an expired lease, the second
   * waits for the first's row lock, re-checks the WHERE against the row the
   * first wrote, and gets nothing back. $4, the caller's clock, is only
   * checked for being there: between instances the database's clock decides.
   */
  acquireLease: `
    INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, ${DB_NOW_MS} + $3::bigint)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE $4::bigint IS NOT NULL AND (leases.owner = excluded.owner OR leases.expires_at <= ${DB_NOW_MS})
    RETURNING owner`,

  // --- plugin records ----------------------------------------------------------
  /**
   * Insert or replace in one statement; `inserted` is true only for the
   * statement that created the row. A row created by this INSERT has xmax 0;
   * a row taken by the DO UPDATE branch carries this transaction's row lock
   * in xmax. Concurrent puts of one key are decided by the unique index, so
   * exactly one caller sees true (the scheduler's slot claims rely on it).
   */
  putRecord: `
    INSERT INTO plugin_records (plugin, collection, key, at, value) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (plugin, collection, key) DO UPDATE SET at = excluded.at, value = excluded.value
    RETURNING (xmax = 0) AS inserted`,
  /**
   * A claim is taken when new or when its expiresAt (a number) has passed by
   * the database's clock; a record without one is held for good. Racing
   * claimants are decided as in acquireLease: the second re-checks the WHERE
   * against the row the first wrote, and changes nothing. The clock is read
   * once: read twice, claimedAt and expiresAt could be a millisecond further
   * apart than the claim's length. $7, the caller's clock, is only checked
   * for being there.
   */
  claimRecord: `
    INSERT INTO plugin_records (plugin, collection, key, at, value)
    SELECT $1, $2, $3, $4, jsonb_build_object('owner', $5::text, 'claimedAt', now_ms, 'expiresAt', now_ms + $6::bigint)::text
    FROM (SELECT ${DB_NOW_MS} AS now_ms) AS clock
    ON CONFLICT (plugin, collection, key) DO UPDATE SET at = excluded.at, value = excluded.value
    WHERE $7::bigint IS NOT NULL
      AND jsonb_typeof(plugin_records.value::jsonb -> 'expiresAt') = 'number'
      AND (plugin_records.value::jsonb ->> 'expiresAt')::numeric <= (excluded.value::jsonb ->> 'claimedAt')::numeric`,
  releaseClaim: `
    DELETE FROM plugin_records
    WHERE plugin = $1 AND collection = $2 AND key = $3 AND value::jsonb ->> 'owner' = $4`,
  /** By the database's clock, as claimRecord; $6, the caller's clock, is only checked for being there. */
  renewClaim: `
    UPDATE plugin_records SET value = jsonb_set(value::jsonb, '{expiresAt}', to_jsonb(${DB_NOW_MS} + $5::bigint))::text
    WHERE plugin = $1 AND collection = $2 AND key = $3 AND value::jsonb ->> 'owner' = $4 AND $6::bigint IS NOT NULL`,
  /** A counter's value, created at 0 when new; the DO UPDATE takes the row lock (held until COMMIT) either way. */
  lockCounter: `
    INSERT INTO plugin_records (plugin, collection, key, at, value) VALUES ($1, $2, $3, $4, '0')
    ON CONFLICT (plugin, collection, key) DO UPDATE SET value = plugin_records.value
    RETURNING value`,
  deleteRecordsBefore: `
    DELETE FROM plugin_records WHERE plugin = $1 AND collection = $2 AND at < $3 AND key IN (
      SELECT key FROM plugin_records WHERE plugin = $1 AND collection = $2 AND at < $3 ORDER BY at LIMIT $4)`,
  scanFirstPage: `
    SELECT key, at, value FROM plugin_records
    WHERE plugin = $1 AND collection = $2 AND at >= $3 AND at < $4
    ORDER BY at, key LIMIT $5`,
  /** The page after (at, key): keyset paging, so each page costs the same however deep. */
  scanNextPage: `
    SELECT key, at, value FROM plugin_records
    WHERE plugin = $1 AND collection = $2 AND (at, key) > ($3::bigint, $4::text) AND at < $5
    ORDER BY at, key LIMIT $6`,

  // --- retention ---------------------------------------------------------------
  /** The listed plugins' cursors, locked against moves until the chunk's transaction ends. */
  listedCursors: 'SELECT seq FROM plugin_cursors WHERE plugin = ANY($1::text[]) FOR SHARE',
  /** Old events in (received_at, seq) order after a position, so each chunk resumes where the last stopped. */
  pruneCandidates: `
    SELECT seq, received_at FROM events
    WHERE received_at < $1 AND (received_at, seq) > ($2::bigint, $3::bigint)
    ORDER BY received_at, seq LIMIT $4`,
  /** Dead deliveries of the listed events, unless some other delivery of that event is still retrying. */
  pruneDeadDeliveries: `
    DELETE FROM deliveries
    WHERE status = 'dead' AND event_seq = ANY($1::bigint[])
      AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.event_seq = deliveries.event_seq AND r.status = 'retrying')`,
  pruneEvents: `
    DELETE FROM events
    WHERE seq = ANY($1::bigint[])
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = events.seq AND d.status = 'retrying')`,
  pruneQuarantine: "DELETE FROM quarantine WHERE received_at < $1 AND status <> 'held'",
} as const;

/** Every statement the core calls by name is here (a missing one fails the type check). */
export const NAMED_SQL: Readonly<Record<ReadName | WriteName, string>> = SQL;
