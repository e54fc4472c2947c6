/**
 * A config file that is not valid JSON, explained as an operator editing it
 * needs: Node 20's JSON.parse names a character offset ("at position 69"),
 * so this names the line and column, shows the line, and says what the
 * usual mistakes are when they are the cause (a trailing comma, a missing
 * one, a comment).
 */

export function explainJsonError(text: string, err: Error): string {
  // V8 words the problem well but places it by offset, or not at all ("Unexpected token ']', "..." is not valid JSON").
  const reason = err.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
  const offset = syntaxErrorOffset(text) ?? text.length;
  const previous = lastNonSpace(text, offset);
  if (offset >= text.length) return `the file ends ${previous === null ? 'before any JSON' : `after line ${lineOf(text, previous)}`}, before the JSON does: is a closing "}" or "]" missing?`;
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

/** Where `text` stops being JSON, or null when it is JSON (V8's JSON.parse does not always say where). */
export function syntaxErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw new JsonStop(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (c: string): void => {
    space();
    if (text[i] !== c) fail();
    i++;
  };
  const string = (): void => {
    expect('"');
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < ' ') fail();
      if (c !== '\\') i++;
      else if (/^\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(i, i + 6))) i += text[i + 1] === 'u' ? 6 : 2;
      else fail();
    }
    fail();
  };
  const items = (close: string, item: () => void): void => {
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === ',') i++;
      else return expect(close);
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      return items('}', () => {
        string();
        expect(':');
        value();
      });
    }
    if (c === '[') {
      i++;
      return items(']', value);
    }
    if (c === '"') return string();
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!literal) fail();
    i += literal![0].length;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return null;
  } catch (stop) {
    if (stop instanceof JsonStop) return stop.offset;
    throw stop;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
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
