/**
 * The field types the command schemas are made of, each lenient or strict as
 * CALLBACKS.md asks: ids and times strict (they key reports and dedupe),
 * free text and flags lenient (Tencent is inconsistent there).
 */
import Joi from 'joi';

/** Free text: any string, the empty one included (CustomInfo, CoverURL are often ""). */
export const text = Joi.string().allow('');

/** What a room id must hold besides spaces (also RoomInfo.RoomId where no schema declares it: command-schema.ts, fast-check.ts). */
export const NOT_BLANK = /\S/;

/**
 * A room id: a non-empty string, never a number (a number would be a
 * different id once reformatted), nor only spaces (every such room would be
 * one room in the reports). Its message says "non-empty string" for any
 * wrong type: see explainFailure.
 */
export const roomId = Joi.string().pattern(NOT_BLANK, 'not blank');

/**
 * The fields that hold such string-only ids. A number there is refused
 * whatever its size: joi refuses a small one (5), and build-event.ts one too
 * big for a double, which the lossless parser has already made a string.
 */
export const STRING_ID_FIELDS: ReadonlySet<string> = new Set(['RoomId', 'FromRoomId', 'ToRoomIdList', 'BattleId']);

/**
 * A user id. Tencent sends them as strings or as bare (often 18-digit)
 * numbers; the lossless parser has already made the big ones strings, and
 * the small ones become strings here, so an account id is always a string.
 */
export const accountId = Joi.any().custom(toAccountId, 'account id');

/** An account id that must name someone (a gift's sender: an empty one would put every such gift on one counter). */
export const senderId = Joi.any().custom((value: unknown) => {
  const id = toAccountId(value);
  if (id.trim() === '') throw new Error('must name an account (it is empty)');
  return id;
}, 'sender id');

function toAccountId(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new Error('must be an account id (a string or an integer)');
}

/** A list of account ids; a lone id is taken as a list of one. */
export const accountList = Joi.array().items(accountId).single();

/** A boolean; "true" / "false" strings are converted (joi does this under convert). */
export const flag = Joi.boolean();

export const integer = Joi.number().integer();

export const count = Joi.number().integer().min(0);

/**
 * Unix seconds (CreateTime, gift Time, battle Start/EndTime). A value of 1e11
 * or more would be past the year 5138 in seconds: it is milliseconds, sent by
 * mistake, and refused (a gift "sent" in the far future would escape its
 * day's cap and break the report of its day).
 */
export const seconds = Joi.number()
  .integer()
  .min(0)
  .max(1e11 - 1)
  .messages({ 'number.max': '{{#label}} must be Unix seconds; {{#value}} looks like milliseconds' });

/**
 * Bounds of a plausible millisecond timestamp: 1e11 ms is March 1973, 1e14 ms
 * is the year 5138. A value below the floor is almost surely seconds
 * (1703589922 would otherwise be 20 January 1970 and land every report on the
 * wrong day), one above it microseconds: both are rejected, not guessed at.
 */
export const EVENT_TIME_MIN = 1e11;
export const EVENT_TIME_MAX = 1e14;

/**
 * EventTime: an integer of milliseconds since the epoch; numeric strings are
 * converted. Every way of failing gets one message: see explainFailure.
 */
export const eventTime = Joi.number().integer().min(EVENT_TIME_MIN).max(EVENT_TIME_MAX);
