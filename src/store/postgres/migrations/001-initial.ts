import type { PgMigration } from '../migrate';

/**
 * The first schema: the twin of src/store/sqlite/migrations/001-initial.ts.
 *
 * Translation choices (and why):
 *   seq, quarantine.id   BIGINT GENERATED ALWAYS AS IDENTITY: never reused,
 *                        like SQLite's AUTOINCREMENT (values lost to a
 *                        rollback or an ON CONFLICT skip leave gaps; readers
 *                        only ever ask for seq > cursor, so gaps are fine).
 *   times, seqs          BIGINT milliseconds written by the application, so
 *                        both engines agree on them.
 *   known                BOOLEAN.
 *   body, query, raw     TEXT, not JSONB: read back byte for byte as written
 *                        (JSONB would re-order keys and cost a parse on the
 *                        ingest path for queries nobody runs).
 *   plugin_records.key   COLLATE "C": byte order, as SQLite's BINARY, so a
 *                        scan pages in the same order on both engines
 *                        whatever the database's default collation.
 */
export const initialSchema: PgMigration = {
  version: 1,
  name: 'event log, cursors, failed deliveries, quarantine, leases, plugin records',
  up: `
    CREATE TABLE events (
      seq              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id               TEXT    NOT NULL UNIQUE,
      command          TEXT    NOT NULL,
      known            BOOLEAN NOT NULL,
      sdk_app_id       TEXT,
      room_id          TEXT,
      event_type       TEXT,
      event_time       BIGINT,
      operator_account TEXT,
      received_at      BIGINT  NOT NULL,
      body             TEXT    NOT NULL,
      raw              TEXT    NOT NULL,
      query            TEXT    NOT NULL
    );
    -- Retention walks old events in (received_at, seq) order.
    CREATE INDEX events_received_at ON events (received_at, seq);

    CREATE TABLE plugin_cursors (
      plugin     TEXT   PRIMARY KEY,
      seq        BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    );

    -- The foreign key (no cascade) makes it impossible to delete an event
    -- that still has a delivery row.
    CREATE TABLE deliveries (
      plugin          TEXT    NOT NULL,
      event_seq       BIGINT  NOT NULL REFERENCES events (seq),
      event_id        TEXT    NOT NULL,
      status          TEXT    NOT NULL CHECK (status IN ('retrying', 'dead')),
      attempts        INTEGER NOT NULL,
      next_attempt_at BIGINT,
      last_error      TEXT    NOT NULL,
      updated_at      BIGINT  NOT NULL,
      PRIMARY KEY (plugin, event_seq)
    );
    CREATE INDEX deliveries_due ON deliveries (plugin, status, next_attempt_at);
    CREATE INDEX deliveries_event ON deliveries (event_seq, status);

    CREATE TABLE quarantine (
      id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      received_at BIGINT NOT NULL,
      sdk_app_id  TEXT,
      command     TEXT,
      raw         TEXT   NOT NULL,
      query       TEXT   NOT NULL,
      reason      TEXT   NOT NULL,
      status      TEXT   NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'replayed', 'rejected')),
      note        TEXT
    );
    CREATE INDEX quarantine_status ON quarantine (status, id);

    -- expires_at is in the database's clock (see the lease statements), so
    -- instances on hosts whose clocks disagree still agree on expiry.
    CREATE TABLE leases (
      name       TEXT   PRIMARY KEY,
      owner      TEXT   NOT NULL,
      expires_at BIGINT NOT NULL
    );

    CREATE TABLE plugin_records (
      plugin     TEXT   NOT NULL,
      collection TEXT   NOT NULL,
      key        TEXT   COLLATE "C" NOT NULL,
      at         BIGINT NOT NULL,
      value      TEXT   NOT NULL,
      PRIMARY KEY (plugin, collection, key)
    );
    -- scan() pages by (at, key) within one plugin's collection.
    CREATE INDEX plugin_records_at ON plugin_records (plugin, collection, at, key);
  `,
};
