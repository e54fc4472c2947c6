/**
 * Text from app users (room names, accounts) made fit for one line of a
 * plain-text mail or log: a line break in a room name could otherwise add
 * lines of its own to an alert ("Bcc: ...", a fake link), and a bidi
 * override (U+202E) could make the rest of the line read backwards.
 */
// Line breaks and tabs become spaces; other control and bidi formatting characters become U+FFFD (visible).
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function oneLine(text: string): string {
  return text.replace(BREAKS, ' ').replace(INVISIBLE, '\uFFFD');
}
