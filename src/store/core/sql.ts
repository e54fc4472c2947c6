/**
 * The SQL both dialects read alike: column lists and the named statements
 * (./statements.ts) whose text is the same in SQLite and PostgreSQL, written
 * once here. Each engine's statements.ts adds the ones it says its own way
 * (casts, LIMIT, lists, lease clocks).
 */
import type { ReadName, WriteName } from './statements';

export const EVENT_COLUMNS =
  'seq, id, command, known, sdk_app_id, room_id, event_type, event_time, operator_account, received_at, body, raw, query, decision';

export const DELIVERY_COLUMNS = 'plugin, event_seq, event_id, status, attempts, next_attempt_at, last_error, updated_at';

/** Due retries with their events, earliest first; each dialect adds its LIMIT $3. */
export const DUE_RETRIES_SELECT = `
    SELECT d.plugin, d.event_seq, d.event_id, d.status, d.attempts, d.next_attempt_at, d.last_error, d.updated_at,
           e.seq, e.id, e.command, e.known, e.sdk_app_id, e.room_id, e.event_type, e.event_time, e.operator_account,
           e.received_at, e.body, e.raw, e.query, e.decision
    FROM deliveries d JOIN events e ON e.seq = d.event_seq
    WHERE d.plugin = $1 AND d.status = 'retrying' AND d.next_attempt_at <= $2
    ORDER BY d.next_attempt_at, d.event_seq`;

export const SHARED_SQL = {
  ping: 'SELECT 1 AS ok',
  latestSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM events',
  getEvent: `SELECT ${EVENT_COLUMNS} FROM events WHERE seq = $1`,
  decisionById: 'SELECT decision FROM events WHERE id = $1',

  getCursor: 'SELECT seq FROM plugin_cursors WHERE plugin = $1',
  setCursor: `
    INSERT INTO plugin_cursors (plugin, seq, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (plugin) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,

  markDelivered: 'DELETE FROM deliveries WHERE plugin = $1 AND event_seq = $2',
  countDeliveries: 'SELECT plugin, status, COUNT(*) AS count FROM deliveries GROUP BY plugin, status ORDER BY plugin, status',

  quarantine: `
    INSERT INTO quarantine (received_at, sdk_app_id, command, raw, query, reason, status, note)
    VALUES ($1, $2, $3, $4, $5, $6, 'held', NULL)
    RETURNING id`,
  setQuarantineStatus: 'UPDATE quarantine SET status = $2, note = $3 WHERE id = $1',

  releaseLease: 'DELETE FROM leases WHERE name = $1 AND owner = $2',

  getRecord: 'SELECT key, at, value FROM plugin_records WHERE plugin = $1 AND collection = $2 AND key = $3',
  deleteRecord: 'DELETE FROM plugin_records WHERE plugin = $1 AND collection = $2 AND key = $3',
} as const satisfies Partial<Record<ReadName | WriteName, string>>;
