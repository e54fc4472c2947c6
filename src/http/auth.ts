/**
 * Proves a callback is Tencent's: the SdkAppid is ours, and when a callback
 * token is set, Sign = hex(SHA-256(token + RequestTime)) with RequestTime
 * (unix seconds) close to now. The body is not signed by Tencent, so dedupe
 * and HTTPS remain the guard against replays inside the window.
 */
import crypto from 'node:crypto';
import { LivehookError } from '../errors';
import { queryValue } from '../callbacks/query';

export interface AuthSettings {
  sdkAppIds: readonly string[];
  callbackToken: string | null;
  maxClockSkewSeconds: number;
}

export function expectedSign(token: string, requestTime: string): string {
  // One-shot: half the cost of createHash().update().digest() for a short input, on every callback.
  return crypto.hash('sha256', token + requestTime, 'hex');
}

/** Throws 403 (wrong app) or 401 (missing, wrong or stale signature). */
export function authenticate(query: Record<string, string>, auth: AuthSettings, nowMs: number): void {
  if (auth.sdkAppIds.length > 0) {
    const appId = queryValue(query, 'SdkAppid');
    if (!appId) throw new LivehookError('FORBIDDEN_APP', 'SdkAppid is missing from the query string');
    if (!auth.sdkAppIds.includes(appId)) throw new LivehookError('FORBIDDEN_APP', `SdkAppid ${appId} is not accepted by this livehook`);
  }
  if (auth.callbackToken === null) return;

  const requestTime = queryValue(query, 'RequestTime');
  const sign = queryValue(query, 'Sign');
  if (!requestTime) throw new LivehookError('AUTH_REQUIRED', 'RequestTime is missing from the query string (a callback token is configured)');
  if (!sign) throw new LivehookError('AUTH_REQUIRED', 'Sign is missing from the query string (a callback token is configured)');
  if (!/^\d{1,12}$/.test(requestTime)) throw new LivehookError('AUTH_REQUIRED', 'RequestTime must be unix seconds');
  const ahead = Number(requestTime) - nowMs / 1000;
  if (Math.abs(ahead) > auth.maxClockSkewSeconds) {
    const by = Math.max(auth.maxClockSkewSeconds + 1, Math.round(Math.abs(ahead)));
    const where = ahead > 0 ? `${by} s ahead of this server's clock` : `${by} s old`;
    throw new LivehookError('AUTH_REQUIRED', `RequestTime is ${where} (at most ${auth.maxClockSkewSeconds} s either way; auth.maxClockSkewSeconds): ${ahead > 0 ? "check this server's clock" : 'stale or replayed'}`);
  }
  const expected = Buffer.from(expectedSign(auth.callbackToken, requestTime), 'utf8');
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  // Constant time: a length mismatch is answered the same way, without comparing.
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new LivehookError('AUTH_REQUIRED', 'Sign does not match: expected the hex SHA-256 of callback token + RequestTime');
  }
}
