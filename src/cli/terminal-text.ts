/**
 * Text a client sent, made safe and unambiguous to print on an operator's
 * terminal: an escape sequence in a quarantined body would otherwise drive
 * the terminal (clear it, retitle it), a bidi override would reorder the
 * line, and an invisible character would hide what the parser refused. Each
 * such character is shown as <U+XXXX>, which a JSON body cannot hold as
 * such (its own escapes read \u001b), so the two are told apart.
 */
// C0 and C1 controls, DEL, bidi marks and overrides, zero-width and line/paragraph separators, BOM.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const HIDDEN_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** `keepLines`: line breaks and tabs stay as they are (a body shown whole); otherwise one line. */
export function terminalText(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(options.keepLines ? HIDDEN_BUT_LINES : HIDDEN, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}
