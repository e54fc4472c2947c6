/**
 * The admin token check for /reports (and any admin route that wants it):
 * `Authorization: Bearer <LIVEHOOK_ADMIN_TOKEN>`, compared in constant time.
 * Both sides are hashed first so that the comparison takes the same time
 * whatever the lengths: timingSafeEqual alone would leak the token's length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { LivehookError } from '../errors';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function requireAdminToken(adminToken: string | null) {
  const expected = adminToken === null ? null : digest(adminToken);
  return async function checkAdminToken(ctx: Context, next: Next): Promise<void> {
    if (expected !== null) {
      const header = ctx.get('Authorization');
      const given = BEARER.exec(header)?.[1];
      if (given === undefined) {
        ctx.set('WWW-Authenticate', 'Bearer realm="livehook"');
        throw new LivehookError('AUTH_REQUIRED', header
          ? 'the Authorization header is not "Bearer <token>": send the admin token (LIVEHOOK_ADMIN_TOKEN) as a bearer token'
          : 'this route needs the admin token: send "Authorization: Bearer <LIVEHOOK_ADMIN_TOKEN>"');
      }
      if (!timingSafeEqual(digest(given), expected)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="livehook", error="invalid_token"');
        throw new LivehookError('AUTH_REQUIRED', 'wrong admin token: the bearer token does not match LIVEHOOK_ADMIN_TOKEN');
      }
    }
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
