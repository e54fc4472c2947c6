/**
 * A CallbackEvent as table columns, and back.
 *
 * Shared by both engines so an event read back is deep-equal to the one
 * appended. The checks run before an event joins a group commit: one bad
 * event is refused on its own instead of failing the whole batch it would
 * have been committed with.
 */
import { bodyFromRaw } from '../callbacks/build-event';
import type { CallbackEvent } from '../callbacks/event';
import { LivehookError, describeError } from '../errors';
import type { StoredEvent } from './store';

/** Column values in table order (see the events table). */
export interface EventColumns {
  id: string;
  command: string;
  known: boolean;
  sdk_app_id: string | null;
  room_id: string | null;
  event_type: string | null;
  event_time: number | null;
  operator_account: string | null;
  received_at: number;
  /** JSON text */
  body: string;
  raw: string;
  /** JSON text */
  query: string;
  /** JSON text of the decision answered (before-callbacks), else null */
  decision: string | null;
}

/** A row as a driver returns it: seq/times may be BIGINT strings (pg), known 0/1 (SQLite), JSON parsed or not. */
export type EventRow = Omit<EventColumns, 'known' | 'body' | 'query' | 'event_time' | 'received_at'> & {
  seq: number | string;
  known: boolean | number;
  event_time: number | string | null;
  received_at: number | string;
  body: unknown;
  query: unknown;
  decision: string | null;
};

/** `body` is '' when the store builds it from `raw` at read (see AppendOptions.bodyFromRaw). */
export function toEventColumns(event: CallbackEvent, bodyFromRawAtRead = false): EventColumns {
  if (event === null || typeof event !== 'object') refuse(undefined, 'event', 'must be an object');
  const id = event.id;
  if (typeof id !== 'string' || id.length === 0) refuse(undefined, 'id', 'must be a non-empty string');
  if (typeof event.command !== 'string') refuse(id, 'command', 'must be a string');
  if (typeof event.known !== 'boolean') refuse(id, 'known', 'must be a boolean');
  if (!Number.isFinite(event.receivedAt)) refuse(id, 'receivedAt', 'must be a number (ms since the epoch)');
  if (event.eventTime !== null && !Number.isFinite(event.eventTime)) refuse(id, 'eventTime', 'must be a number or null');
  if (typeof event.raw !== 'string') refuse(id, 'raw', 'must be a string');
  if (event.body === null || typeof event.body !== 'object') refuse(id, 'body', 'must be an object');
  if (event.query === null || typeof event.query !== 'object') refuse(id, 'query', 'must be an object');
  return {
    id,
    command: event.command,
    known: event.known,
    sdk_app_id: nullableString(id, 'sdkAppId', event.sdkAppId),
    room_id: nullableString(id, 'roomId', event.roomId),
    event_type: nullableString(id, 'eventType', event.eventType),
    event_time: event.eventTime,
    operator_account: nullableString(id, 'operator', event.operator),
    received_at: event.receivedAt,
    body: bodyFromRawAtRead ? '' : json(id, 'body', event.body),
    raw: event.raw,
    query: json(id, 'query', event.query),
    decision: event.decision === undefined ? null : json(id, 'decision', event.decision),
  };
}

/** Rebuilds the event from a row; tolerant of drivers that return BIGINT as strings or JSON as objects. */
export function fromEventColumns(row: EventRow): StoredEvent {
  const fromRaw = row.body === '';
  const event: CallbackEvent = {
    id: row.id,
    command: row.command,
    known: Boolean(row.known),
    sdkAppId: row.sdk_app_id,
    roomId: row.room_id,
    eventType: row.event_type,
    eventTime: row.event_time === null ? null : Number(row.event_time),
    operator: row.operator_account,
    // Built from raw on first read (below), in this place among the keys.
    body: fromRaw ? (null as unknown as CallbackEvent['body']) : ((typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as CallbackEvent['body']),
    raw: row.raw,
    query: (typeof row.query === 'string' ? JSON.parse(row.query) : row.query) as Record<string, string>,
    receivedAt: Number(row.received_at),
    // Only events that were decided carry the key: the others read back as they were appended.
    ...(row.decision === null || row.decision === undefined ? {} : { decision: JSON.parse(row.decision) as CallbackEvent['decision'] }),
  };
  if (fromRaw) Object.defineProperty(event, 'body', LAZY_BODY);
  return { seq: Number(row.seq), event };
}

function settleBody(event: CallbackEvent, value: CallbackEvent['body']): void {
  Object.defineProperty(event, 'body', { value, writable: true, enumerable: true, configurable: true });
}

/**
 * `body` of an event read back, built from its raw text the first time it is
 * read. Most deliveries never read it (email-alert looks at the event type; a
 * command a plugin does not take is skipped): building it for them was about
 * a third of a plugin isolate's work per event (the lossless parse and the
 * schema check) and much of its garbage. It stays an own enumerable
 * property, so spreading, JSON.stringify, deep equality and structured clone
 * see the body. One getter and setter for every event: V8 then shares the
 * events' hidden classes, as for plain objects.
 */
const LAZY_BODY: PropertyDescriptor = {
  get(this: CallbackEvent): CallbackEvent['body'] {
    // Built from what the event itself carries: its raw text, command, and whether livehook knows the command.
    const body = bodyFromRaw(this.raw, this.command, this.known);
    settleBody(this, body);
    return body;
  },
  set(this: CallbackEvent, value: CallbackEvent['body']): void {
    settleBody(this, value);
  },
  enumerable: true,
  configurable: true,
};

function nullableString(id: string, field: string, value: unknown): string | null {
  if (value === null || typeof value === 'string') return value;
  refuse(id, field, 'must be a string or null');
}

function json(id: string, field: string, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    refuse(id, field, `is not plain JSON (${describeError(err)})`);
  }
}

function refuse(eventId: string | undefined, field: string, problem: string): never {
  const which = eventId === undefined ? 'an event' : `event ${eventId}`;
  throw new LivehookError('STORE_FAILED', `cannot store ${which}: ${field} ${problem}`, { field, eventId });
}

/**
 * A group commit closes at this many bytes of events as well as at its count:
 * a thousand bodies at the 1 MB limit would pass the largest string V8 (and
 * the pg driver's arrays) can build, and fail the whole batch every time.
 */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/** About how many bytes an event's columns take (JSON text is mostly one byte a character). */
export function columnsWeight(columns: EventColumns): number {
  return columns.raw.length + columns.body.length + columns.query.length + (columns.decision?.length ?? 0) + 256;
}
