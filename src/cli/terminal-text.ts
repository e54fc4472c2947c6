/**
 * Text a client sent, made safe and unambiguous to print on an operator's
 * terminal: an escape sequence in a quarantined body would otherwise drive
 * the terminal (clear it, retitle it), a bidi override would reorder the
 * line, and an invisible character would hide what the parser refused. Each
 * such character (controls, format characters such as bidi marks and tags,
 * line and paragraph separators, lone surrogates, every character Unicode
 * says may be drawn as nothing, every space but " ", the braille blank) is
 * shown as <U+XXXX>. A body's own text "<U+" shows its "<" as <U+003C>, so
 * a marker cannot be forged, and neither is confused with a JSON escape
 * such as \u001b.
 */
const HIDDEN = /<(?=U\+)|(?! )\p{Zs}|[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** `keepLines`: line breaks and tabs stay as they are (a body shown whole); otherwise one line. */
export function terminalText(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(HIDDEN, (c) => (options.keepLines && (c === '\n' || c === '\t') ? c : marker(c)));
}

function marker(c: string): string {
  return `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;
}
