import { expect } from 'chai';
import { JsonParseError, parseJsonLossless } from '../../src/callbacks/lossless-json';

function positionOf(text: string): number | undefined {
  try {
    JSON.parse(text);
  } catch (err) {
    const m = /at position (\d+)/.exec((err as Error).message);
    return m ? Number(m[1]) : undefined;
  }
  throw new Error('expected JSON.parse to fail');
}

describe('parseJsonLossless', () => {
  it('says where each unsafe integer stood, as a dotted path of keys without array indices', () => {
    const paths = new Set<string>();
    const text = '{"RoomId": 12345678901234567, "RoomInfo": {"RoomId": "r", "Owner_Account": 144115216631667826}, "ToRoomIdList": ["a", 98765432109876543], "ToRoomList": [{"RoomId": 11111111111111111111}], "Safe": 1234567890123456, "k\\"ey": [[90071992547409931]]}';
    const value = parseJsonLossless(text, paths) as Record<string, any>;
    expect(value.RoomId).to.equal('12345678901234567');
    expect([...paths].sort()).to.deep.equal(['RoomId', 'RoomInfo.Owner_Account', 'ToRoomIdList', 'ToRoomList.RoomId', 'k"ey'].sort());
    const none = new Set<string>();
    parseJsonLossless('{"RoomId": "12345678901234567", "n": 5}', none);
    expect(none.size).to.equal(0);
  });

  it('keeps every digit of an 18-digit account id, as a string', () => {
    const text = '{"Owner_Account": 144115216631667826}';
    expect(JSON.parse(text).Owner_Account).to.equal(144115216631667840); // what it replaces
    expect(parseJsonLossless(text)).to.deep.equal({ Owner_Account: '144115216631667826' });
  });

  it('makes strings only of integers beyond the safe range, negatives included', () => {
    const text = '[9007199254740991, 9007199254740992, -9007199254740991, -9007199254740993, 123456789012345678901234567890, 1234567890123456]';
    expect(parseJsonLossless(text)).to.deep.equal([
      9007199254740991,
      '9007199254740992',
      -9007199254740991,
      '-9007199254740993',
      '123456789012345678901234567890',
      1234567890123456,
    ]);
  });

  it('leaves fractions and exponents as numbers, exactly as JSON.parse does', () => {
    const text = '[1234567890123456789.5, 0.12345678901234567, 12345678901234567e2, 1.5E+300, -144115216631667826e-3]';
    expect(parseJsonLossless(text)).to.deep.equal(JSON.parse(text));
  });

  it('does not touch digits inside strings, with escaped quotes and backslashes around them', () => {
    const text = String.raw`{"a":"144115216631667826","b":"say \"144115216631667826\"","c":"ends with a backslash \\","d":144115216631667826,"e":"\\\"12345678901234567890\\"}`;
    expect(parseJsonLossless(text)).to.deep.equal({
      a: '144115216631667826',
      b: 'say "144115216631667826"',
      c: 'ends with a backslash \\',
      d: '144115216631667826',
      e: '\\"12345678901234567890\\',
    });
  });

  it('converts big integers at any depth and at the top level', () => {
    expect(parseJsonLossless('144115216631667826')).to.equal('144115216631667826');
    expect(parseJsonLossless(' {"x":[{"y":[ 144115233775727695 ,{"z":-144115233775727695}]}]} ')).to.deep.equal({
      x: [{ y: ['144115233775727695', { z: '-144115233775727695' }] }],
    });
  });

  it('gives the same result as JSON.parse for documents without unsafe integers', () => {
    const docs = [
      '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","EventTime":1703589922780,"ok":true,"n":null}',
      '{"long":"12345678901234567890 in a string","f":12345678901234.5678}',
      '[]',
      '"plain"',
      '{"unicode":"夏季40度 \\u00e9 \\ud83d\\ude00"}',
      '-0',
    ];
    for (const doc of docs) expect(parseJsonLossless(doc), doc).to.deep.equal(JSON.parse(doc));
  });

  it('matches a reference decoding on random documents full of quotes, escapes and big ids', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const strings = ['', 'a"b', 'x\\', '\\"', '144115216631667826', '"144115216631667826"', 'é夏', '{"k":1}'];
    // Each generated value comes with its JSON text and the value a lossless decoder must return.
    const gen = (depth: number): [string, unknown] => {
      const kind = depth > 3 ? random(4) : random(7);
      switch (kind) {
        case 0: {
          const digits = String(1 + random(9)) + Array.from({ length: 15 + random(5) }, () => random(10)).join('');
          const safe = Number.isSafeInteger(Number(digits));
          const sign = random(2) ? '-' : '';
          return [sign + digits, safe ? Number(sign + digits) : sign + digits];
        }
        case 1: {
          const s = strings[random(strings.length)];
          return [JSON.stringify(s), s];
        }
        case 2: {
          const n = random(1000) / 7;
          return [JSON.stringify(n), JSON.parse(JSON.stringify(n))];
        }
        case 3: {
          const pick = random(3);
          return [['true', 'false', 'null'][pick], [true, false, null][pick]];
        }
        case 4:
        case 5: {
          const items = Array.from({ length: random(4) }, () => gen(depth + 1));
          return [`[ ${items.map((i) => i[0]).join(' , ')} ]`, items.map((i) => i[1])];
        }
        default: {
          const keys = Array.from({ length: random(4) }, (_, i) => `k${i}${strings[random(strings.length)]}`);
          const entries = keys.map((k) => [k, gen(depth + 1)] as const);
          const text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v[0]}`).join(',')}}`;
          return [text, Object.fromEntries(entries.map(([k, v]) => [k, v[1]]))];
        }
      }
    };
    for (let i = 0; i < 500; i++) {
      const [text, expected] = gen(0);
      expect(parseJsonLossless(text), text).to.deep.equal(expected);
    }
  });

  describe('malformed JSON', () => {
    it('throws a SyntaxError naming the position in the original text', () => {
      for (const text of ['{"a":1,}', '{"a":144115216631667826,}', '{"RoomId":"x", "Owner_Account": 144115216631667826 "b"}']) {
        let thrown: unknown;
        try {
          parseJsonLossless(text);
        } catch (err) {
          thrown = err;
        }
        expect(thrown, text).to.be.instanceOf(JsonParseError);
        expect(thrown).to.be.instanceOf(SyntaxError);
        const err = thrown as JsonParseError;
        expect(err.position, text).to.equal(positionOf(text));
        expect(err.message).to.match(/^malformed JSON at position \d+: /);
      }
    });

    it('names the position where V8 does not ("Unexpected token"), once', () => {
      for (const [text, position] of [['hello', 0], ['{"a": 1} x', 9], ['{"a": [1, 2,]}', 12]] as const) {
        let thrown: JsonParseError | undefined;
        try {
          parseJsonLossless(text);
        } catch (err) {
          thrown = err as JsonParseError;
        }
        expect(thrown?.position, text).to.equal(position);
        expect(thrown?.message, text).to.match(new RegExp(`^malformed JSON at position ${position}: [^]*$`)).and.not.to.match(/position[^]*position|is not valid JSON/);
      }
    });

    it('says so for truncated input', () => {
      expect(() => parseJsonLossless('{"a":')).to.throw(JsonParseError, /malformed JSON/);
      expect(() => parseJsonLossless('')).to.throw(JsonParseError, /malformed JSON/);
    });

    it('stays malformed when a big integer is an object key or has a leading zero', () => {
      expect(() => parseJsonLossless('{144115216631667826: 1}')).to.throw(JsonParseError);
      expect(() => parseJsonLossless('{"a": 1, 144115216631667826: 1}')).to.throw(JsonParseError);
      expect(() => parseJsonLossless('[0144115216631667826]')).to.throw(JsonParseError);
      expect(() => parseJsonLossless('{"a": 144115216631667826')).to.throw(JsonParseError);
    });
  });

  describe('nesting', () => {
    const nested = (depth: number): string => '{"a":'.repeat(depth - 1) + '[' + ']' + '}'.repeat(depth - 1);

    it('takes 64 levels of objects and arrays', () => {
      expect(() => parseJsonLossless(nested(64))).to.not.throw();
      expect(parseJsonLossless('['.repeat(64) + ']'.repeat(64))).to.be.an('array');
    });

    it('refuses 65 levels and more, saying the limit and where', () => {
      expect(() => parseJsonLossless(nested(65))).to.throw(JsonParseError, 'JSON nested deeper than 64 levels (at position 320)');
      for (const depth of [5_000, 100_000]) {
        expect(() => parseJsonLossless('['.repeat(depth) + ']'.repeat(depth)), String(depth)).to.throw(JsonParseError, /nested deeper than 64 levels/);
        expect(() => parseJsonLossless(nested(depth) + '144115216631667826'), `${depth} with a big integer`).to.throw(JsonParseError, /nested deeper than 64 levels/);
      }
    });

    it('counts depth, not brackets: many shallow ones and brackets inside strings are fine', () => {
      const siblings = `{"list":[${Array.from({ length: 1000 }, () => '{"x":[1]}').join(',')}]}`;
      expect((parseJsonLossless(siblings) as { list: unknown[] }).list).to.have.length(1000);
      const text = `{"s":"${'['.repeat(200)}\\"${'{'.repeat(200)}"}`; // an escaped quote inside the string too
      expect(parseJsonLossless(text)).to.deep.equal(JSON.parse(text));
    });
  });
});
