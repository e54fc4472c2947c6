import type { Migration } from '../migrate';

/**
 * The first schema. Kept to SQL that PostgreSQL also speaks, apart from the
 * marked SQLite-isms, so the twin is a translation, not a redesign:
 *   INTEGER PRIMARY KEY AUTOINCREMENT  -> BIGINT GENERATED ALWAYS AS IDENTITY
 *   INTEGER (times, seqs)              -> BIGINT
 *   known INTEGER 0/1                  -> BOOLEAN
 *   JSON kept as TEXT                  -> TEXT (or JSONB)
 * Times are milliseconds since the epoch, written by the application (not
 * by database defaults), so both engines agree on them.
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'event log, cursors, failed deliveries, quarantine, leases, plugin records',
  up: `
    -- The append-only log. AUTOINCREMENT: a seq is never reused, even after
    -- the newest events are pruned, so a plugin cursor can never point at a
    -- different event than the one it finished.
    CREATE TABLE events (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      id               TEXT    NOT NULL UNIQUE,
      command          TEXT    NOT NULL,
      known            INTEGER NOT NULL,
      sdk_app_id       TEXT,
      room_id          TEXT,
      event_type       TEXT,
      event_time       INTEGER,
      operator_account TEXT,
      received_at      INTEGER NOT NULL,
      body             TEXT    NOT NULL,
      raw              TEXT    NOT NULL,
      query            TEXT    NOT NULL
    );
    -- Retention walks old events in (received_at, seq) order.
    CREATE INDEX events_received_at ON events (received_at);

    -- One row per plugin: the highest seq it has finished.
    CREATE TABLE plugin_cursors (
      plugin     TEXT    PRIMARY KEY,
      seq        INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    -- Only deliveries that failed at least once. The foreign key (no cascade)
    -- makes it impossible to delete an event that still has a delivery row.
    CREATE TABLE deliveries (
      plugin          TEXT    NOT NULL,
      event_seq       INTEGER NOT NULL REFERENCES events (seq),
      event_id        TEXT    NOT NULL,
      status          TEXT    NOT NULL CHECK (status IN ('retrying', 'dead')),
      attempts        INTEGER NOT NULL,
      next_attempt_at INTEGER,
      last_error      TEXT    NOT NULL,
      updated_at      INTEGER NOT NULL,
      PRIMARY KEY (plugin, event_seq)
    );
    CREATE INDEX deliveries_due ON deliveries (plugin, status, next_attempt_at);
    CREATE INDEX deliveries_event ON deliveries (event_seq, status);

    CREATE TABLE quarantine (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      received_at INTEGER NOT NULL,
      sdk_app_id  TEXT,
      command     TEXT,
      raw         TEXT    NOT NULL,
      query       TEXT    NOT NULL,
      reason      TEXT    NOT NULL,
      status      TEXT    NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'replayed', 'rejected')),
      note        TEXT
    );
    CREATE INDEX quarantine_status ON quarantine (status, id);

    CREATE TABLE leases (
      name       TEXT    PRIMARY KEY,
      owner      TEXT    NOT NULL,
      expires_at INTEGER NOT NULL
    );

    CREATE TABLE plugin_records (
      plugin     TEXT    NOT NULL,
      collection TEXT    NOT NULL,
      key        TEXT    NOT NULL,
      at         INTEGER NOT NULL,
      value      TEXT    NOT NULL,
      PRIMARY KEY (plugin, collection, key)
    );
    -- scan() pages by (at, key) within one plugin's collection.
    CREATE INDEX plugin_records_at ON plugin_records (plugin, collection, at, key);
  `,
};
