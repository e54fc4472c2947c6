/**
 * The admin token check for /reports, /metrics (and any admin route that
 * wants it): `Authorization: Bearer <LIVEHOOK_ADMIN_TOKEN>`, or the session
 * cookie that signing in at /login sets (./admin-session.ts).
 *
 * A token is compared in constant time on SHA-256 digests, so the time
 * taken does not depend on where the given token first differs nor on its
 * length (timingSafeEqual alone would leak the length). A wrong token is
 * answered only after a fixed delay from the request's start, which also
 * slows a guesser down.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { LivehookError } from '../errors';
import { AdminSessions, SESSION_COOKIE } from './admin-session';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** How long after the request began a wrong token is answered. */
export const WRONG_TOKEN_DELAY_MS = 500;

/** Compares a given token with the admin token: constant time whatever either length. */
export function tokenChecker(adminToken: string): (given: string) => boolean {
  const expected = digest(adminToken);
  return (given) => timingSafeEqual(digest(given), expected);
}

/** Resolves WRONG_TOKEN_DELAY_MS after startedMs: a refusal takes the same time however the check went. */
export function wrongTokenDelay(startedMs: number): Promise<void> {
  const left = startedMs + WRONG_TOKEN_DELAY_MS - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, left)));
}

export function requireAdminToken(adminToken: string | null) {
  if (adminToken === null) return (_ctx: Context, next: Next) => next();
  const matches = tokenChecker(adminToken);
  const sessions = new AdminSessions(adminToken);
  return async function checkAdminToken(ctx: Context, next: Next): Promise<void> {
    const started = Date.now();
    const header = ctx.get('Authorization');
    if (!header && sessions.verify(ctx.cookies.get(SESSION_COOKIE), started)) {
      ctx.state.adminSession = true;
      return next();
    }
    const given = BEARER.exec(header)?.[1];
    if (given === undefined) {
      ctx.set('WWW-Authenticate', 'Bearer realm="livehook"');
      throw new LivehookError('AUTH_REQUIRED', header
        ? 'the Authorization header is not "Bearer <token>": send the admin token (LIVEHOOK_ADMIN_TOKEN) as a bearer token'
        : ctx.cookies.get(SESSION_COOKIE)
          ? 'the sign-in has expired or is no longer valid: sign in again at /login, or send "Authorization: Bearer <LIVEHOOK_ADMIN_TOKEN>"'
          : 'this route needs the admin token: send "Authorization: Bearer <LIVEHOOK_ADMIN_TOKEN>", or sign in at /login in a browser');
    }
    if (!matches(given)) {
      await wrongTokenDelay(started);
      ctx.set('WWW-Authenticate', 'Bearer realm="livehook", error="invalid_token"');
      throw new LivehookError('AUTH_REQUIRED', 'wrong admin token: the bearer token does not match LIVEHOOK_ADMIN_TOKEN');
    }
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
