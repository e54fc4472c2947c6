/**
 * What JSON.parse does not say about a text: where it stops being JSON (V8
 * gives an offset for some mistakes only: "Unexpected token 'h', \"hello\"
 * is not valid JSON" gives none), and whether an object names a key twice
 * (JSON.parse keeps the last silently). For messages, not the hot path.
 */

/** Where `text` stops being JSON, or null when it is JSON (V8's JSON.parse does not always say where). */
export function syntaxErrorOffset(text: string): number | null {
  try {
    scan(text, false);
    return null;
  } catch (stop) {
    if (stop instanceof JsonStop) return stop.offset;
    throw stop;
  }
}

/** The first key an object of `text` names twice, and where, or null (also when `text` is not JSON). */
export function firstDuplicateKey(text: string): { key: string; offset: number } | null {
  try {
    scan(text, true);
    return null;
  } catch (stop) {
    if (stop instanceof JsonDuplicate) return { key: stop.key, offset: stop.offset };
    if (stop instanceof JsonStop) return null;
    throw stop;
  }
}

function scan(text: string, duplicates: boolean): void {
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
      const keys = new Set<string>();
      return items('}', () => {
        space();
        const at = i;
        string();
        if (duplicates) {
          const key = JSON.parse(text.slice(at, i)) as string;
          if (keys.has(key)) throw new JsonDuplicate(key, at);
          keys.add(key);
        }
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
  value();
  space();
  if (i < text.length) fail();
}

class JsonStop {
  constructor(readonly offset: number) {}
}

class JsonDuplicate {
  constructor(
    readonly key: string,
    readonly offset: number,
  ) {}
}
