/**
 * Text values as PostgreSQL can hold them, and back, losslessly.
 *
 * PostgreSQL text cannot hold the NUL character (U+0000), which JSON allows
 * in any string ("RoomId": "a\u0000b") and SQLite stores as it is. A value
 * holding NUL is stored as a JSON string literal instead: "a\u0000b", quotes
 * included, readable in psql. So that such a literal is never taken for a
 * plain value, a value that itself starts with a double quote is stored the
 * same way (migration 002 did so for rows written before). Every other value
 * (nearly all of them) is stored as it is, so ids, room ids and raw bodies
 * read the same in SQL as in livehook.
 *
 * The body and query columns hold JSON text written by JSON.stringify, which
 * writes NUL as the escape \u0000 and always starts with "{": they need no
 * change. (They are TEXT, not JSONB, which would refuse \u0000.)
 */
import type { WriteStatements } from '../core/statements';
import type { EventColumns, EventRow } from '../event-columns';
import { escapeNul } from '../nul';
import type { QuarantineInput } from '../store';

/** A value for a PostgreSQL text column. */
export function toPgText(value: string): string {
  return value.includes('\u0000') || value.startsWith('"') ? JSON.stringify(value) : value;
}

/** The value toPgText was given. */
export function fromPgText(stored: string): string {
  if (!stored.startsWith('"')) return stored;
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value === 'string') return value;
  } catch {
    // Not a literal this store wrote (an older livehook running during an upgrade, say): keep it as it is.
  }
  return stored;
}

function toPgNullable(value: string | null): string | null {
  return value === null ? null : toPgText(value);
}

function fromPgNullable(stored: string | null): string | null {
  return stored === null ? null : fromPgText(stored);
}

/** An event's columns as written to PostgreSQL. */
export function toPgEventColumns(c: EventColumns): EventColumns {
  return {
    ...c,
    id: toPgText(c.id),
    command: toPgText(c.command),
    sdk_app_id: toPgNullable(c.sdk_app_id),
    room_id: toPgNullable(c.room_id),
    event_type: toPgNullable(c.event_type),
    operator_account: toPgNullable(c.operator_account),
    raw: toPgText(c.raw),
  };
}

/** A row read from the events table, its values as they were appended. */
export function fromPgEventRow<R extends EventRow>(row: R): R {
  return {
    ...row,
    id: fromPgText(row.id),
    command: fromPgText(row.command),
    sdk_app_id: fromPgNullable(row.sdk_app_id),
    room_id: fromPgNullable(row.room_id),
    event_type: fromPgNullable(row.event_type),
    operator_account: fromPgNullable(row.operator_account),
    raw: fromPgText(row.raw),
  };
}

/**
 * The values of a quarantined request. A body refused for a raw NUL must
 * still be kept (its 400 goes out only then), so each NUL is kept as the
 * text \u0000 and the reason says so.
 */
export function toPgQuarantine(input: QuarantineInput): WriteStatements['quarantine'] {
  const nul = (text: string | null) => (text === null ? null : escapeNul(text));
  const reason = input.raw.includes('\u0000') ? `${escapeNul(input.reason)} (the body held NUL characters, kept here as the text \\u0000)` : escapeNul(input.reason);
  return [input.receivedAt, nul(input.sdkAppId), nul(input.command), escapeNul(input.raw), JSON.stringify(input.query ?? {}), reason];
}
