/**
 * From the bytes Tencent sent to the CallbackEvent plugins receive: parse
 * losslessly, route on the body's CallbackCommand, validate with that
 * command's schema, normalize, and derive the idempotency id.
 */
import { LivehookError, type ErrorName } from '../errors';
import type { CallbackEvent } from './event';
import { eventId } from './event-id';
import { JsonParseError, parseJsonLossless } from './lossless-json';
import { queryValue } from './query';
import { KNOWN_COMMANDS, commandSpec } from './schemas';
import { nearestName } from '../util/edit-distance';
import { shorten } from '../util/shorten';
import { STRING_ID_FIELDS } from './schemas/fields';
import { validateBody } from './validate-body';

export interface BuildEventInput {
  /** The body exactly as received (decoded as UTF-8). */
  raw: string;
  /** The query string, one value per key, keys as sent (see normalizeQuery). */
  query: Record<string, string>;
  /** When livehook received the request, ms since the epoch. */
  receivedAt: number;
}

/**
 * Throws LivehookError: EMPTY_BODY, BAD_JSON, NOT_AN_OBJECT, MISSING_COMMAND
 * or INVALID_BODY (details.field names the field), each with a message fit
 * for the FAIL envelope's ErrorInfo. A command with no schema is accepted
 * with `known: false` and its body as parsed.
 */
export function buildEvent(input: BuildEventInput): CallbackEvent {
  const { raw, query, receivedAt } = input;
  const numberPaths = new Set<string>();
  const parsed = parseBody(raw, numberPaths);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LivehookError('NOT_AN_OBJECT', `the body must be a JSON object, got ${describeJsonType(parsed)}`);
  }
  const command = (parsed as Record<string, unknown>).CallbackCommand;
  if (typeof command !== 'string' || command === '') {
    const got = command === undefined ? 'it is missing' : command === '' ? 'got an empty string' : `got ${describeJsonType(command)}`;
    throw new LivehookError('MISSING_COMMAND', `CallbackCommand: must be a non-empty string in the body, ${got}`, {
      field: 'CallbackCommand',
    });
  }

  const spec = commandSpec(command);
  if (spec) refuseNumericIds(command, numberPaths);
  else refuseDisguisedCommand(command);
  const body = spec ? validateBody(command, spec.schema, parsed as Record<string, unknown>) : (parsed as Record<string, unknown>);

  const sdkAppId = queryValue(query, 'SdkAppid') || null;
  const roomId = pickRoomId(body);
  const eventType = typeof body.EventType === 'string' ? body.EventType : null;
  const eventTime = typeof body.EventTime === 'number' && Number.isSafeInteger(body.EventTime) ? body.EventTime : null;

  return {
    id: eventId({ sdkAppId, command, roomId, eventTime, eventType, raw, identity: spec ? spec.identity : 'key+body' }),
    command,
    known: spec !== undefined,
    sdkAppId,
    roomId,
    eventType,
    eventTime,
    operator: idString(body.Operator_Account),
    body: body as CallbackEvent['body'],
    raw,
    query,
    receivedAt,
  };
}

/**
 * The body of an event built by buildEvent from `raw`, built again: what the
 * store keeps instead of a second, normalized copy of every body (see
 * Store.append's bodyFromRaw). Should today's schema refuse a body it
 * accepted then, the body comes back as parsed, without normalization.
 */
export function bodyFromRaw(raw: string, command: string, known: boolean): CallbackEvent['body'] {
  const parsed = parseBody(raw) as Record<string, unknown>;
  const spec = known ? commandSpec(command) : undefined;
  if (!spec) return parsed as CallbackEvent['body'];
  try {
    return validateBody(command, spec.schema, parsed) as CallbackEvent['body'];
  } catch {
    return parsed as CallbackEvent['body'];
  }
}

/** Errors buildEvent throws about the body's content. */
const BODY_ERRORS: ReadonlySet<ErrorName> = new Set<ErrorName>(['BAD_JSON', 'NOT_AN_OBJECT', 'MISSING_COMMAND', 'INVALID_BODY']);

/**
 * True when buildEvent rejected what the body says (malformed JSON, not an
 * object, no command, a bad field). When the request was authenticated such
 * a body is worth keeping in quarantine for an operator to inspect and
 * replay. An empty body is not: there is nothing to keep.
 */
export function isQuarantinable(err: unknown): err is LivehookError {
  return err instanceof LivehookError && BODY_ERRORS.has(err.code);
}

/**
 * A room id sent as a number too big for a double reaches the schema as a
 * string (the lossless parser keeps its digits), where joi cannot tell it
 * from one sent as a string; it is refused here, as joi refuses a small one,
 * and in the same words.
 */
function refuseNumericIds(command: string, numberPaths: ReadonlySet<string>): void {
  for (const field of numberPaths) {
    if (STRING_ID_FIELDS.has(field.slice(field.lastIndexOf('.') + 1))) {
      throw new LivehookError('INVALID_BODY', `${field}: must be a non-empty string, not a number (send the id in quotes)`, { command, field, rule: 'string.base' });
    }
  }
}

function parseBody(raw: string, numberPaths?: Set<string>): unknown {
  // A UTF-8 byte-order mark is not JSON but carries no meaning: skip it.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  try {
    return parseJsonLossless(text, numberPaths);
  } catch (err) {
    if (/^\s*$/.test(text)) {
      throw new LivehookError('EMPTY_BODY', 'the body is empty: send the callback as a JSON object');
    }
    const details = err instanceof JsonParseError && err.position !== undefined ? { position: err.position } : {};
    throw new LivehookError('BAD_JSON', err instanceof Error ? err.message : 'malformed JSON', details, { cause: err });
  }
}

/** Known commands by their lower-case form, trimmed: how a client's mistyped case or stray space is recognised. */
const FOLDED_COMMANDS: ReadonlyMap<string, string> = new Map(KNOWN_COMMANDS.map((name) => [name.toLowerCase(), name]));

/**
 * A command livehook does not know is taken as written (Tencent adds
 * commands). A known one in another case or with spaces around it is no new
 * command, though, but a client's mistake that would skip the schema and
 * reach no plugin that waits for it: refused, naming the command it is. So
 * is one holding a character outside printable ASCII (a zero-width space, a
 * NUL, a full-width or dotless letter) that is a letter or two off a known
 * one: Tencent's commands are plain ASCII.
 */
function refuseDisguisedCommand(command: string): void {
  const folded = command.normalize('NFKC').trim().toLowerCase();
  const meant = FOLDED_COMMANDS.get(folded) ?? (/[^\x21-\x7e]/.test(command) ? nearestName(folded, KNOWN_COMMANDS) : undefined);
  if (meant == null) return;
  throw new LivehookError('INVALID_BODY', `CallbackCommand: "${shorten(visible(command))}" is not a command; did you mean "${meant}"? (commands are matched exactly: case, spaces and look-alike characters count)`, { field: 'CallbackCommand' });
}

/** Every character outside printable ASCII as \uXXXX, so the answer shows what was sent. */
function visible(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Top-level RoomId, else RoomInfo.RoomId (unknown commands may send a number: kept as its digits). */
function pickRoomId(body: Record<string, unknown>): string | null {
  const top = idString(body.RoomId);
  if (top !== null) return top;
  const info = body.RoomInfo;
  return info !== null && typeof info === 'object' ? idString((info as Record<string, unknown>).RoomId) : null;
}

function idString(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
