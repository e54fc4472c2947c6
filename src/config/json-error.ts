/**
 * A config file that is not valid JSON, explained as an operator editing it
 * needs: Node 20's JSON.parse names a character offset ("at position 69"),
 * so this names the line and column, shows the line, and says what the
 * usual mistakes are when they are the cause (a trailing comma, a missing
 * one, a comment).
 */
import { firstDuplicateKey, syntaxErrorOffset } from '../util/json-syntax';

/** `emptyFix`: what to write in a file that is empty (livehook.json takes {}; a plugin's file needs "enabled"). */
export function explainJsonError(text: string, err: Error, emptyFix = 'write {} for every default'): string {
  // V8 words the problem well but places it by offset, or not at all ("Unexpected token ']', "..." is not valid JSON").
  const reason = err.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
  const offset = syntaxErrorOffset(text) ?? text.length;
  const previous = lastNonSpace(text, offset);
  if (offset >= text.length) {
    return previous === null ? `the file is empty: ${emptyFix}` : `the file ends after line ${lineOf(text, previous)}, before the JSON does: is a closing "}" or "]" missing?`;
  }
  if ((text[offset] === '}' || text[offset] === ']') && previous !== null && text[previous] === ',') {
    return `a comma before "${text[offset]}" ${where(text, previous)}: JSON allows no comma after the last item`;
  }
  if (text.startsWith('//', offset) || text.startsWith('/*', offset)) {
    return `a comment ${where(text, offset)}: JSON has no comments (move the note to a key of its own or delete it)`;
  }
  if (/^Expected ',' or '[}\]]' after/.test(reason) && previous !== null && lineOf(text, previous) < lineOf(text, offset)) {
    return `${reason} ${where(text, offset)}: is a comma missing at the end of line ${lineOf(text, previous)}?`;
  }
  return `${reason} ${where(text, offset)}`;
}

/** "at line 4, column 29 (the line)". */
function where(text: string, offset: number): string {
  const line = lineOf(text, offset);
  const column = offset - text.lastIndexOf('\n', offset - 1);
  const source = (text.split('\n')[line - 1] ?? '').trim();
  const shown = source.length > 120 ? `${source.slice(0, 117)}...` : source;
  return `at line ${line}, column ${column}${shown ? ` (${shown})` : ''}`;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The offset of the last character before `offset` that is not white space, or null. */
function lastNonSpace(text: string, offset: number): number | null {
  for (let i = offset - 1; i >= 0; i--) if (!/\s/.test(text[i]!)) return i;
  return null;
}

/** A key an object of a config file names twice (JSON.parse keeps the last without a word), said where; else null. */
export function duplicateKeyProblem(text: string): string | null {
  const duplicate = firstDuplicateKey(text);
  if (duplicate === null) return null;
  return `key "${duplicate.key}" appears twice in one object, the second time ${where(text, duplicate.offset)}: only the last would count; keep one`;
}

/**
 * The path of a "__proto__" key in a parsed config file, or null. JSON.parse
 * keeps it as an ordinary key, which joi then lets through as if it were not
 * there: refused, so that a file holds only what livehook reads.
 */
export function protoKeyPath(value: unknown, at: string[] = []): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return [...at, key].join('.');
    const inner = protoKeyPath((value as Record<string, unknown>)[key], [...at, key]);
    if (inner !== null) return inner;
  }
  return null;
}
