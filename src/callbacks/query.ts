/**
 * The callback URL's query string.
 *
 * Tencent spells its keys in more than one case (SdkAppid, SdkAppId,
 * sdkappid), so lookups ignore case; the keys themselves are kept as sent,
 * because the event hands the query to plugins exactly as it arrived.
 */

export type RawQuery = Record<string, string | string[] | undefined>;

/**
 * One string per key, keys as sent. A key sent more than once keeps its first
 * value (Tencent never repeats one; a stray duplicate must not win silently
 * over what came first). Keys with no value are dropped.
 */
export function normalizeQuery(query: RawQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && value.length > 0) out[key] = String(value[0]);
  }
  return out;
}

/** The value of `key` in `query`, whatever the case of either; undefined when absent. */
export function queryValue(query: Record<string, string>, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(query, key)) return query[key];
  const wanted = key.toLowerCase();
  for (const candidate of Object.keys(query)) {
    if (candidate.toLowerCase() === wanted) return query[candidate];
  }
  return undefined;
}
