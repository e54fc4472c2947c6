/**
 * Signing in to read the reports in a browser, when an admin token is set:
 *
 *   GET  /login    the form (one field: the admin token)
 *   POST /login    token right: sets the session cookie and sends the browser on
 *                  to /reports (or the report it came from); wrong: 401, after
 *                  the same fixed delay as a wrong bearer token
 *   GET|POST /logout  clears the cookie; asked from another site's page (a
 *                  link or form planted elsewhere), it only shows a button
 *                  that signs out, so no other site can sign an operator out
 *
 * The cookie is HttpOnly (no script reads it), SameSite=Strict (no other
 * site's page sends it), Path=/, expiring with the session it holds, and
 * Secure when the request came over https (as Koa sees it: with
 * http.proxy on, X-Forwarded-Proto counts). The token travels only in the
 * POST body, never in a URL.
 */
import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import type { Context, Next } from 'koa';
import { LivehookError } from '../errors';
import { PAGE_ROUTE } from '../http/error-page';
import { tokenChecker, wrongTokenDelay } from './admin-auth';
import { AdminSessions, SESSION_COOKIE, SESSION_TTL_MS } from './admin-session';
import { loginPage, logoutPage } from './login-page';

const LOGIN_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** Where a sign-in may send the browser on to: a report route of ours, nothing else. */
const NEXT = /^\/reports(?:\/\d{4}-\d{2}-\d{2}(?:\.json)?)?$/;

export function loginRouter(deps: { adminToken: string | null }): Router {
  const router = new Router();
  router.use(['/login', '/logout'], async (ctx: Context, next: Next) => {
    ctx.state[PAGE_ROUTE] = true;
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  const { adminToken } = deps;
  if (adminToken === null) {
    router.all(['/login', '/logout'], () => {
      throw new LivehookError('NOT_FOUND', 'there is nothing to sign in to: no admin token is set (LIVEHOOK_ADMIN_TOKEN), so /reports is open to anyone who can reach it');
    });
    return router;
  }
  const matches = tokenChecker(adminToken);
  const sessions = new AdminSessions(adminToken);
  const readForm = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });

  router.get('/login', (ctx: Context) => {
    sendLoginPage(ctx, 200, { next: nextOf(ctx.query.next), signedOut: ctx.query.signedOut === '1' });
  });

  router.post('/login', readForm, async (ctx: Context) => {
    const started = Date.now();
    const form = ((ctx.request as { body?: unknown }).body ?? {}) as Record<string, unknown>;
    const next = nextOf(form.next);
    const token = typeof form.token === 'string' ? form.token : '';
    if (token === '') {
      if (prefersHtml(ctx)) return sendLoginPage(ctx, 400, { next, error: 'Enter the admin token in the field "token".' });
      throw new LivehookError('BAD_FORM', 'the form field "token" is empty: post token=<LIVEHOOK_ADMIN_TOKEN> as application/x-www-form-urlencoded');
    }
    if (!matches(token)) {
      await wrongTokenDelay(started);
      if (prefersHtml(ctx)) return sendLoginPage(ctx, 401, { next, error: 'Wrong admin token.' });
      throw new LivehookError('AUTH_REQUIRED', 'wrong admin token: the form field "token" does not match LIVEHOOK_ADMIN_TOKEN');
    }
    ctx.cookies.set(SESSION_COOKIE, sessions.issue(started), cookieOptions(ctx, SESSION_TTL_MS));
    ctx.status = 303;
    ctx.redirect(next);
  });

  const logout = (ctx: Context) => {
    if (fromAnotherSite(ctx)) return sendPage(ctx, 200, logoutPage());
    ctx.cookies.set(SESSION_COOKIE, '', cookieOptions(ctx, 0));
    ctx.status = 303;
    ctx.redirect('/login?signedOut=1');
  };
  router.get('/logout', logout);
  router.post('/logout', logout);
  return router;
}

function cookieOptions(ctx: Context, maxAge: number) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: ctx.secure,
    path: '/',
    overwrite: true,
    ...(maxAge > 0 ? { maxAge } : { expires: new Date(0) }),
  };
}

function nextOf(value: unknown): string {
  return typeof value === 'string' && NEXT.test(value) ? value : '/reports';
}

function prefersHtml(ctx: Context): boolean {
  return ctx.accepts('json', 'html') === 'html';
}

/**
 * A request another site's page made the browser send: the browser says so
 * in Sec-Fetch-Site; one too old for that header still sends Origin with a
 * POST. A typed URL, a bookmark and our own pages' links count as ours, and
 * so does a client that sends neither (curl).
 */
function fromAnotherSite(ctx: Context): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  if (site !== '') return site !== 'same-origin' && site !== 'none';
  // The host only: behind a TLS proxy without http.proxy the scheme we see differs.
  const origin = ctx.get('Origin');
  return origin !== '' && hostOf(origin) !== ctx.host;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null" (a sandboxed frame, a file:// page): not ours
  }
}

function sendLoginPage(ctx: Context, status: number, options: Parameters<typeof loginPage>[0]): void {
  sendPage(ctx, status, loginPage(options));
}

function sendPage(ctx: Context, status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', LOGIN_POLICY);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html;
}
