/**
 * A client's text as a message repeats it: at most `max` UTF-16 units, then
 * how long it was. A hostile client sends megabytes where a word belongs
 * (a 400 KB EventTime, a 15,000-character path, a 100,000-character
 * command), and each was repeated whole in an answer and a log line.
 */
export function shorten(text: string, max = 100): string {
  if (text.length <= max) return text;
  // Never half a surrogate pair: the text goes out as JSON.
  const cut = /[\uD800-\uDBFF]$/.test(text.slice(0, max)) ? max - 1 : max;
  return `${text.slice(0, cut)}… (${text.length} characters in all)`;
}
