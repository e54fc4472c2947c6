/**
 * JSON parsing that keeps every digit of big integers.
 *
 * Tencent sends 18-digit account ids as bare numbers (144115216631667826);
 * JSON.parse rounds them to the nearest double (…840) without a word. Here an
 * integer literal that is not a JS safe integer becomes a string with every
 * digit kept; every other value comes out exactly as JSON.parse gives it
 * (fractions and exponents stay numbers: they are measurements, not ids).
 *
 * Hot path: a body with no run of 16 digits anywhere cannot hold an unsafe
 * integer (2^53 has 16 digits), so it goes straight to JSON.parse. Otherwise
 * one scan wraps the unsafe integer tokens (outside strings, in value
 * position) in quotes and JSON.parse does the rest. Node 20 has no
 * `context.source` in revivers, so this is the cheapest exact route.
 *
 * Nesting is refused past MAX_JSON_DEPTH. JSON.parse takes 5,000 levels (10
 * KB) without a word, and everything after it that walks the value
 * recursively (validation, serialisation for the store, plugins) then
 * overflows the stack: a 500 on every resend instead of a 400. Tencent's
 * bodies are 3 deep. Hot path: a text with no more than MAX_JSON_DEPTH
 * brackets cannot be too deep, so only such texts are scanned.
 */
import { syntaxErrorOffset } from '../util/json-syntax';

/** Malformed JSON. `position` is the offset in the text where parsing failed, when known. */
export class JsonParseError extends SyntaxError {
  readonly position: number | undefined;

  constructor(message: string, position: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JsonParseError';
    this.position = position;
  }
}

/** The deepest nesting of objects and arrays accepted. */
export const MAX_JSON_DEPTH = 64;

/**
 * The most objects and arrays one body may hold. Tencent's hold a few dozen
 * (a member list, a few hundred); a body of 900 KB of empty lists holds
 * 400,000 and took a few hundred ms of the ingest thread to parse, each.
 */
export const MAX_JSON_CONTAINERS = 20_000;

const SIXTEEN_DIGITS = /\d{16}/;
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER); // '9007199254740991', 16 digits

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * `numberPaths`, when given, receives where each unsafe integer stood, as
 * the keys down to it joined by dots, array indices left out
 * (`RoomInfo.RoomId`, `ToRoomIdList`): such a value reaches the caller as a
 * string like any other, and a field that must not be a number (a room id)
 * can only be told from a real string here.
 */
export function parseJsonLossless(text: string, numberPaths?: Set<string>): unknown {
  refuseDeepNesting(text);
  if (!SIXTEEN_DIGITS.test(text)) return parseOrExplain(text);
  const quoted = quoteUnsafeIntegers(text, numberPaths);
  if (quoted === text) return parseOrExplain(text);
  try {
    return JSON.parse(quoted);
  } catch {
    // Quoting only turns number tokens into string tokens where a value may
    // stand, so the original is malformed too: report its error, positions
    // and all, not the rewritten text's.
    parseOrExplain(text);
    throw new JsonParseError('malformed JSON', undefined);
  }
}

function parseOrExplain(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 places some mistakes only ("Unexpected token 'h', "hello" is not valid JSON"): find the place then.
    const message = err instanceof Error ? err.message : String(err);
    const match = /at position (\d+)/.exec(message);
    const position = match ? Number(match[1]) : (syntaxErrorOffset(text) ?? undefined);
    const reason = message.replace(/ at position \d+.*$/s, '').replace(/ in JSON$/, '').replace(/, ".*" is not valid JSON$/s, '');
    const where = position === undefined ? '' : ` at position ${position}`;
    throw new JsonParseError(`malformed JSON${where}: ${reason}`, position, { cause: err });
  }
}

/** Throws JsonParseError when objects and arrays nest deeper than MAX_JSON_DEPTH, or are more than MAX_JSON_CONTAINERS (brackets in strings do not count). */
function refuseDeepNesting(text: string): void {
  if (fewBrackets(text)) return;
  let depth = 0;
  let containers = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new JsonParseError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (at position ${i}): refused, callback bodies are a few levels deep`, i);
      }
      if (++containers > MAX_JSON_CONTAINERS) {
        throw new JsonParseError(`JSON with more than ${MAX_JSON_CONTAINERS} objects and arrays (at position ${i}): refused, callback bodies hold a few dozen`, i);
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
    i++;
  }
}

/** At most MAX_JSON_DEPTH opening brackets in all: no need to look at the nesting. */
function fewBrackets(text: string): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++count > MAX_JSON_DEPTH) return false;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++count > MAX_JSON_DEPTH) return false;
  return true;
}

/** The text with every unsafe integer literal in value position wrapped in quotes. */
function quoteUnsafeIntegers(text: string, numberPaths?: Set<string>): string {
  const n = text.length;
  let out = '';
  let copiedUpTo = 0;
  // Container stack (true = object) and the last significant token, to tell
  // an object key from a value: `{123…: 1}` must stay as malformed as it is.
  const inObject: boolean[] = [];
  let previous = 0;
  // Where the key names are (start of the key's string token, -1 = none), decoded
  // only for an unsafe integer: per container, the key it stands under and,
  // for an object, the key of the member being read.
  const containerKey: number[] = [];
  const memberKey: number[] = [];

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const keyPosition = previous === OPEN_BRACE || (previous === COMMA && inObject[inObject.length - 1] === true);
      if (keyPosition) memberKey[memberKey.length - 1] = i;
      i = endOfString(text, i);
      previous = QUOTE;
      continue;
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const keyPosition = previous === OPEN_BRACE || (previous === COMMA && inObject[inObject.length - 1] === true);
      if (!keyPosition && j - i >= 16 && isUnsafeIntegerLiteral(text.slice(i, j))) {
        out += text.slice(copiedUpTo, i) + '"' + text.slice(i, j) + '"';
        copiedUpTo = j;
        if (numberPaths) addPath(numberPaths, text, containerKey, keyOfValue(inObject, containerKey, memberKey));
      }
      previous = ZERO;
      i = j;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      containerKey.push(keyOfValue(inObject, containerKey, memberKey));
      memberKey.push(-1);
      inObject.push(c === OPEN_BRACE);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      inObject.pop();
      containerKey.pop();
      memberKey.pop();
    }
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) previous = c;
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** Where the key of a value at this point starts: its member's key in an object, the array's own key in an array. */
function keyOfValue(inObject: boolean[], containerKey: number[], memberKey: number[]): number {
  const top = inObject.length - 1;
  if (top < 0) return -1;
  return inObject[top] ? memberKey[top]! : containerKey[top]!;
}

/** The dotted path of the value whose own key starts at `last`: the containers' keys, each once (arrays share their key with their items). */
function addPath(paths: Set<string>, text: string, containerKey: number[], last: number): void {
  const keys: string[] = [];
  let previous = -1;
  for (const start of [...containerKey, last]) {
    if (start < 0 || start === previous) continue;
    previous = start;
    try {
      keys.push(JSON.parse(text.slice(start, endOfString(text, start))) as string);
    } catch {
      return; // a malformed key: the parse that follows reports it
    }
  }
  if (keys.length > 0) paths.add(keys.join('.'));
}

/** Index just after the closing quote of the string starting at `start` (or the end when unterminated). */
function endOfString(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  while (q !== -1) {
    let backslashes = 0;
    for (let k = q - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}

function isNumberChar(c: number): boolean {
  return (c >= ZERO && c <= NINE) || c === DOT || c === LOWER_E || c === UPPER_E || c === PLUS || c === MINUS;
}

/** A JSON integer literal (`-?(0|[1-9][0-9]*)`) whose value is beyond Number.MAX_SAFE_INTEGER. */
function isUnsafeIntegerLiteral(token: string): boolean {
  const digits = token.charCodeAt(0) === MINUS ? token.slice(1) : token;
  if (digits.length < 16 || digits.charCodeAt(0) === ZERO) return false;
  for (let k = 0; k < digits.length; k++) {
    const d = digits.charCodeAt(k);
    if (d < ZERO || d > NINE) return false;
  }
  return digits.length > 16 || digits > MAX_SAFE_DIGITS;
}
