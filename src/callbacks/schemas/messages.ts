/**
 * What a validation failure says. Every message starts with the field's path
 * (`RoomInfo.Owner_Account: …`) so the FAIL envelope tells the sender which
 * field to fix, and goes on with what is expected.
 */
import type Joi from 'joi';
import { shorten } from '../../util/shorten';
import { EVENT_TIME_MAX, EVENT_TIME_MIN, STRING_ID_FIELDS } from './fields';

export const VALIDATION_MESSAGES: Record<string, string> = {
  'any.required': '{{#label}}: is required',
  'any.only': '{{#label}}: must be one of {{#valids}}',
  'any.custom': '{{#label}}: {{#error.message}}',
  'any.invalid': '{{#label}}: has an invalid value',
  'string.base': '{{#label}}: must be a string',
  'string.empty': '{{#label}}: must be a non-empty string',
  'string.pattern.name': '{{#label}}: must be a non-empty string, not only spaces',
  'number.base': '{{#label}}: must be a number',
  'number.integer': '{{#label}}: must be an integer',
  'number.unsafe': '{{#label}}: must be a number within the safe integer range',
  'number.infinity': '{{#label}}: must be a finite number',
  'number.min': '{{#label}}: must be at least {{#limit}}',
  'number.max': '{{#label}}: must be at most {{#limit}}',
  'boolean.base': '{{#label}}: must be a boolean (true or false)',
  'object.base': '{{#label}}: must be an object',
  'array.base': '{{#label}}: must be an array',
  'array.includesRequiredUnknowns': '{{#label}}: is missing required items',
  'livehook.roomIdBlank': 'RoomInfo.RoomId: must be a non-empty string, not only spaces',
  'livehook.roomIdNotText': 'RoomInfo.RoomId: must be a non-empty string',
  'livehook.roomIdMissing':
    'RoomId: is required (a non-empty string at the top level, or in RoomInfo.RoomId)',
};

/** Ids whose every wrong value (missing text, a number, null) gets one message. */
const NON_EMPTY_IDS = STRING_ID_FIELDS;

/**
 * The message for a failed field, with wording for the fields that matter
 * most. Done here, when a body has already failed, rather than with per-field
 * joi messages: those make joi merge preferences on every validation (about
 * 8 µs of a 21 µs destroy-room check).
 */
export function explainFailure(detail: Joi.ValidationErrorItem, field: string): string {
  const key = [...detail.path].reverse().find((segment) => typeof segment === 'string');
  if (key === 'EventTime' && detail.path.length === 1 && detail.type.startsWith('number.')) {
    return `EventTime: must be an integer of milliseconds since the epoch (between ${EVENT_TIME_MIN} and ${EVENT_TIME_MAX}), got ${shown(detail.context?.value)}`;
  }
  if (typeof key === 'string' && NON_EMPTY_IDS.has(key) && (detail.type === 'string.base' || detail.type === 'string.empty')) {
    return `${field}: must be a non-empty string`;
  }
  return detail.message;
}

/**
 * The preferences every command schema is compiled with: stop at the first
 * problem (one clear message, less work), convert where harmless ("true",
 * "1703589922780"), and allow unknown keys because Tencent adds fields over
 * time and they must reach plugins untouched.
 */
export const VALIDATION_PREFS = {
  abortEarly: true,
  convert: true,
  allowUnknown: true,
  errors: { wrap: { label: false as const } },
  messages: VALIDATION_MESSAGES,
};

/** A value in a message as it was sent: 5, "5" and [5] are not the same mistake. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  try {
    return shorten(JSON.stringify(value) ?? String(value));
  } catch {
    return shorten(String(value));
  }
}
