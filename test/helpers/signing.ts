import crypto from 'node:crypto';

/** Tencent's callback signature: lowercase hex SHA-256 of token + RequestTime (seconds). */
export function signedQuery(token: string, extra: Record<string, string> = {}, requestTime = Math.floor(Date.now() / 1000)): Record<string, string> {
  const rt = String(requestTime);
  return { ...extra, RequestTime: rt, Sign: crypto.createHash('sha256').update(token + rt).digest('hex') };
}
