/**
 * The hot path's validator, compiled from the same joi schemas.
 *
 * joi stays the schema language and the wording of every 400, but running
 * it costs about a fifth of the ingest thread's time per callback and most
 * of its allocations. This compiles a command's schema, from joi's own
 * describe(), into a plain function that either returns exactly the value
 * joi would return (the normalized body), or `undefined`: "not sure, ask
 * joi". It never refuses anything itself: an invalid body, and anything it
 * does not handle (a numeric string where a number goes, an unknown rule),
 * falls through to joi, which gives the verdict and the message. Tests
 * (test/callbacks/fast-check.test.ts) hold both to the same answers on
 * every fixture and on fuzzed bodies.
 *
 * What it handles is what the schemas in ./schemas/ use: objects (unknown
 * keys kept), strings (allow lists, '' only when allowed), integers with
 * min/max, booleans (and "true"/"false" strings, as joi converts them),
 * arrays of one item type (`single`), `empty(null)`, a room id's "not
 * blank" pattern, and the custom rules livehook defines (an account id, a
 * sender id, the room id's two places). A schema
 * using anything else is not compiled at all: joi alone runs for it.
 */
import type Joi from 'joi';
import { NOT_BLANK } from './schemas/fields';

/** A compiled check: the normalized value, or undefined to let joi decide. */
type Check = (value: unknown) => unknown;

/** Returned by a check when the key must be left out (an `empty` value, or absent and optional). */
const OMIT = Symbol('omit');
/** Returned when joi must decide. */
const ASK_JOI = Symbol('ask joi');

type Result = unknown | typeof OMIT | typeof ASK_JOI;
type Compiled = (value: unknown) => Result;

interface Description {
  type: string;
  flags?: { presence?: string; only?: boolean; single?: boolean; empty?: Description; [flag: string]: unknown };
  rules?: Array<{ name: string; args?: { limit?: number; description?: string; regex?: string } }>;
  allow?: unknown[];
  keys?: Record<string, Description>;
  items?: Description[];
  preferences?: { convert?: boolean; allowUnknown?: boolean; [pref: string]: unknown };
  [other: string]: unknown;
}

class NotCompilable extends Error {}

const cache = new WeakMap<Joi.Schema, Check | null>();

/** The compiled check of a schema, or null when joi alone can run it. Compiled once per schema. */
export function fastCheckOf(schema: Joi.Schema): Check | null {
  let check = cache.get(schema);
  if (check === undefined) {
    try {
      const compiled = compile(schema.describe() as Description, true);
      check = (value) => {
        const result = compiled(value);
        return result === ASK_JOI || result === OMIT ? undefined : result;
      };
    } catch (err) {
      if (!(err instanceof NotCompilable)) throw err;
      check = null;
    }
    cache.set(schema, check);
  }
  return check;
}

const KNOWN_FLAGS = new Set(['presence', 'only', 'single', 'empty']);

function compile(d: Description, top = false): Compiled {
  for (const key of Object.keys(d)) {
    // `messages` words refusals only, and every refusal is left to joi.
    if (!['type', 'flags', 'rules', 'allow', 'keys', 'items', 'preferences'].includes(key)) throw new NotCompilable(key);
  }
  // Messages word refusals only, and every refusal is left to joi.
  const { messages: _messages, ...preferences } = d.preferences ?? {};
  if (Object.keys(preferences).length > 0) {
    // Only the preferences livehook's schemas set: convert on, unknown keys allowed.
    if (!top || preferences.convert !== true || preferences.allowUnknown !== true) throw new NotCompilable('preferences');
  }
  for (const flag of Object.keys(d.flags ?? {})) if (!KNOWN_FLAGS.has(flag)) throw new NotCompilable(flag);
  const presence = d.flags?.presence;
  if (presence !== undefined && presence !== 'required') throw new NotCompilable(presence);
  const required = presence === 'required';
  const empty = d.flags?.empty ? emptyValues(d.flags.empty) : null;
  const inner = compileType(d);
  return (value) => {
    if (empty !== null && empty.includes(value)) value = undefined;
    if (value === undefined) return required ? ASK_JOI : OMIT;
    return inner(value);
  };
}

/** `empty(null)`: the values treated as absent. */
function emptyValues(d: Description): unknown[] {
  if (d.type !== 'any' || d.flags?.only !== true || !d.allow || d.rules) throw new NotCompilable('empty');
  return d.allow;
}

function compileType(d: Description): Compiled {
  switch (d.type) {
    case 'object':
      return compileObject(d);
    case 'string':
      return compileString(d);
    case 'number':
      return compileNumber(d);
    case 'boolean':
      if (d.rules || d.allow) throw new NotCompilable('boolean rules');
      return (value) => (typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : ASK_JOI);
    case 'array':
      return compileArray(d);
    case 'any':
      return compileAny(d);
    default:
      throw new NotCompilable(d.type);
  }
}

function compileObject(d: Description): Compiled {
  if (d.allow) throw new NotCompilable('object allow');
  const custom = onlyCustomRule(d);
  if (custom !== null && custom !== 'room id at the top level or in RoomInfo') throw new NotCompilable(custom);
  const keys = Object.entries(d.keys ?? {}).map(([key, child]) => [key, compile(child)] as const);
  const roomIdRule = custom !== null;
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return ASK_JOI;
    // As joi does: a shallow copy, unknown keys kept in their place, each known key replaced by its result.
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, check] of keys) {
      const result = check(out[key]);
      if (result === ASK_JOI) return ASK_JOI;
      if (result === OMIT) delete out[key];
      else out[key] = result;
    }
    if (roomIdRule && !fillRoomId(out)) return ASK_JOI;
    return out;
  };
}

/** The custom rule of commandSchema (./schemas/command-schema.ts): RoomId at the top, else from RoomInfo. */
function fillRoomId(body: Record<string, unknown>): boolean {
  if (typeof body.RoomId === 'string') return true;
  const info = body.RoomInfo as Record<string, unknown> | undefined;
  // A blank one is refused, by joi.
  if (info && typeof info.RoomId === 'string' && NOT_BLANK.test(info.RoomId)) {
    body.RoomId = info.RoomId;
    return true;
  }
  return false;
}

function compileString(d: Description): Compiled {
  // The one rule the schemas use on strings: fields.ts's roomId, not blank.
  let notBlank = false;
  for (const rule of d.rules ?? []) {
    if (rule.name === 'pattern' && rule.args?.regex === String(NOT_BLANK)) notBlank = true;
    else throw new NotCompilable(`string ${rule.name}`);
  }
  const allow = d.allow ?? [];
  if (d.flags?.only) {
    if (notBlank) throw new NotCompilable('string only with rules');
    return (value) => (allow.includes(value) ? value : ASK_JOI);
  }
  const allowEmpty = allow.includes('');
  if (allow.some((v) => v !== '')) throw new NotCompilable('string allow');
  return (value) => (typeof value === 'string' && (value !== '' || allowEmpty) && (!notBlank || NOT_BLANK.test(value)) ? value : ASK_JOI);
}


function compileNumber(d: Description): Compiled {
  if (d.allow || d.flags?.only) throw new NotCompilable('number allow');
  let integer = false;
  let min = -Infinity;
  let max = Infinity;
  for (const rule of d.rules ?? []) {
    if (rule.name === 'integer') integer = true;
    else if (rule.name === 'min' && typeof rule.args?.limit === 'number') min = rule.args.limit;
    else if (rule.name === 'max' && typeof rule.args?.limit === 'number') max = rule.args.limit;
    else throw new NotCompilable(`number ${rule.name}`);
  }
  // A numeric string (joi converts it) or anything unusual goes to joi.
  return (value) =>
    typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER && (!integer || Number.isInteger(value)) && value >= min && value <= max
      ? value
      : ASK_JOI;
}

function compileArray(d: Description): Compiled {
  if (d.rules || d.allow || !d.items || d.items.length !== 1) throw new NotCompilable('array');
  const item = compile(d.items[0]!);
  const single = d.flags?.single === true;
  return (value) => {
    if (!Array.isArray(value)) {
      if (!single || value === null) return ASK_JOI;
      const one = item(value);
      return one === ASK_JOI || one === OMIT ? ASK_JOI : [one];
    }
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const result = item(value[i]);
      if (result === ASK_JOI || result === OMIT) return ASK_JOI; // a sparse or undefined item: joi's call
      out[i] = result;
    }
    return out;
  };
}

function compileAny(d: Description): Compiled {
  if (d.allow) throw new NotCompilable('any allow');
  const custom = onlyCustomRule(d);
  // As fields.ts's accountId: a string as it is, a safe integer as its digits.
  const asAccount = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : ASK_JOI);
  if (custom === 'account id') return asAccount;
  // As fields.ts's senderId: the same, and a blank one is joi's to refuse.
  if (custom === 'sender id') return (value) => (typeof value === 'string' && value.trim() === '' ? ASK_JOI : asAccount(value));
  throw new NotCompilable(`any ${custom}`);
}

/** The description of the one custom rule of a schema, null when it has none; anything else is not compilable. */
function onlyCustomRule(d: Description): string | null {
  if (!d.rules || d.rules.length === 0) return null;
  if (d.rules.length !== 1 || d.rules[0]!.name !== 'custom') throw new NotCompilable('rules');
  return d.rules[0]!.args?.description ?? '';
}

export type { Result };
