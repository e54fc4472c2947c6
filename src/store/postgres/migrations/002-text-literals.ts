import type { PgMigration } from '../migrate';

/**
 * Text values that start with a double quote become JSON string literals
 * (see ../pg-text.ts): from now on a value holding NUL, which PostgreSQL
 * text cannot hold, is stored as a literal, and a stored value starting with
 * a double quote is read as one. Rows written before are brought in line so
 * they read back unchanged, and so that a resend of such an event still
 * meets its stored id (to_json writes the same literal as JSON.stringify).
 *
 * One pass over the events table: it reads every row and rewrites only the
 * rare ones that match. SQLite needs no such change: it stores NUL as it is.
 */
const COLUMNS = ['id', 'command', 'sdk_app_id', 'room_id', 'event_type', 'operator_account', 'raw'];

export const textLiterals: PgMigration = {
  version: 2,
  name: 'text values starting with a double quote stored as JSON string literals (values holding NUL are stored so)',
  up: `
    UPDATE events SET
      ${COLUMNS.map((c) => `${c} = CASE WHEN ${c} LIKE '"%' THEN to_json(${c})::text ELSE ${c} END`).join(',\n      ')}
    WHERE ${COLUMNS.map((c) => `${c} LIKE '"%'`).join(' OR ')};
    UPDATE deliveries SET event_id = to_json(event_id)::text WHERE event_id LIKE '"%';
  `,
};
