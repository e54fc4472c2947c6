/**
 * The NUL character, which PostgreSQL text refuses and terminals hide, shown
 * as the six characters \u0000: in error messages, and where a body must be
 * kept anyway (quarantine).
 */
export function escapeNul(text: string): string {
  return text.replaceAll('\u0000', '\\u0000');
}
