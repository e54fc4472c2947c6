/** True for a time zone name this Node's Intl knows (IANA names such as "Asia/Shanghai", and "UTC"). */
export function isTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

/**
 * The zone's name as Intl spells it ("asia/shanghai" -> "Asia/Shanghai",
 * "US/Eastern" -> "America/New_York"), or null for a zone it does not know.
 * Intl takes any case, so a zone kept as the operator typed it made the same
 * zone look like another one wherever names were compared (a report built
 * in "asia/shanghai" was then never revised by an Asia/Shanghai service).
 */
export function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The two names are one zone (a name Intl does not know is only itself). */
export function sameTimeZone(a: string, b: string): boolean {
  return a === b || (canonicalTimeZone(a) ?? a) === (canonicalTimeZone(b) ?? b);
}
