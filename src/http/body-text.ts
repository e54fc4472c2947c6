/**
 * A callback body's bytes as text, in the charset it declares (UTF-8 when it
 * declares none), refused (40009) rather than changed when they are not text
 * in it: bytes that are not characters would become U+FFFD, and different
 * rooms one room. So would a JSON escape of half a character (\ud800),
 * which no store keeps: refused too, with where it is.
 */
import iconv from 'iconv-lite';
import { LivehookError } from '../errors';

/** Half of a UTF-16 surrogate pair, alone. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strict for UTF-8 (no byte-order mark kept, as iconv-lite does). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `declared`: Content-Type names the charset (else UTF-8 is assumed). */
export function bodyText(body: Buffer, charset: string, declared: boolean): string {
  const text = decode(body, charset, declared);
  const half = loneSurrogateEscape(text);
  if (half !== null) {
    throw new LivehookError('BAD_TEXT', `the body holds "${half.escape}" at position ${half.at}, half of a character (a UTF-16 surrogate without its pair), which cannot be stored as text: send the whole character`, {});
  }
  return text;
}

function decode(body: Buffer, charset: string, declared: boolean): string {
  if (/^utf-?8$/i.test(charset)) {
    try {
      return UTF8.decode(body);
    } catch {
      const why = declared
        ? `the body is not valid UTF-8, the charset its Content-Type declares: send UTF-8, or declare the charset the body is in`
        : 'the body is not valid UTF-8, the charset it is read in when Content-Type declares none: declare its charset, for example "application/json; charset=gbk"';
      throw new LivehookError('BAD_TEXT', why, { header: 'Content-Type' });
    }
  }
  const text = iconv.decode(body, charset);
  // iconv-lite turns bytes that are not characters in the charset into U+FFFD or "?" without a word:
  // the text must give the same bytes back (with or without a byte-order mark, which decoding drops).
  // UTF-16 and CESU-8 bytes can also hold half a character, which no store keeps.
  if ((!iconv.encode(text, charset).equals(body) && !iconv.encode(`\uFEFF${text}`, charset).equals(body)) || LONE_SURROGATE.test(text)) {
    throw new LivehookError('BAD_TEXT', `the body is not valid ${charset}, the charset its Content-Type declares: some of its bytes are no characters in it`, { header: 'Content-Type' });
  }
  return text;
}

/** The first \\uD800-\\uDFFF escape in JSON text that is not half of a pair, or null. */
export function loneSurrogateEscape(text: string): { escape: string; at: number } | null {
  if (!text.includes('\\u')) return null;
  const escapes = /(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})/g;
  let expectLow = -1; // where the low half of the last high surrogate must start
  for (let m = escapes.exec(text); m !== null; m = escapes.exec(text)) {
    if (m[1]!.length % 2 === 0) continue; // "\\\\ud800": an escaped backslash, then letters
    const at = m.index + m[1]!.length - 1;
    const high = /^[dD][89abAB]/.test(m[2]!);
    if (expectLow !== -1 && expectLow !== at) return { escape: `\\u${text.slice(expectLow - 4, expectLow)}`, at: expectLow - 6 };
    if (high) {
      if (expectLow === at) return { escape: `\\u${text.slice(at - 4, at)}`, at: at - 6 };
      expectLow = at + 6;
    } else if (expectLow === at) {
      expectLow = -1;
    } else {
      return { escape: `\\u${m[2]}`, at };
    }
  }
  return expectLow === -1 ? null : { escape: `\\u${text.slice(expectLow - 4, expectLow)}`, at: expectLow - 6 };
}
