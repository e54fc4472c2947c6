/**
 * The browser's session after signing in at /login: a cookie that holds its
 * expiry and an HMAC of it, so any instance can check it without keeping
 * sessions anywhere.
 *
 * The HMAC key is derived from the admin token (HKDF-SHA256): every
 * instance sharing the token accepts the others' cookies, a restart does not
 * sign people out, and changing LIVEHOOK_ADMIN_TOKEN ends every session.
 * The cookie says nothing about the token: neither it nor its length can be
 * read from the cookie.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'livehook_session';
/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const FORMAT = /^(\d{10,13})\.([A-Za-z0-9_-]{43})$/;

export class AdminSessions {
  private readonly key: Buffer;

  constructor(adminToken: string) {
    this.key = Buffer.from(hkdfSync('sha256', adminToken, 'livehook', 'admin session cookie v1', 32));
  }

  /** A cookie value valid until nowMs + SESSION_TTL_MS. */
  issue(nowMs: number): string {
    const expires = Math.floor((nowMs + SESSION_TTL_MS) / 1000);
    return `${expires}.${this.sign(expires)}`;
  }

  /** True when the value was issued with this key and has not expired. */
  verify(value: string | undefined, nowMs: number): boolean {
    const m = value === undefined ? null : FORMAT.exec(value);
    if (!m) return false;
    const expires = Number(m[1]);
    const ok = timingSafeEqual(Buffer.from(m[2]), Buffer.from(this.sign(expires)));
    return ok && expires * 1000 > nowMs;
  }

  private sign(expires: number): string {
    return createHmac('sha256', this.key).update(`session:${expires}`).digest('base64url');
  }
}
