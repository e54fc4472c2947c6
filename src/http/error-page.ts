/**
 * The HTML form of an error, for a person in a browser on a page route
 * (/reports, /login): the same status and words as the FAIL envelope, and
 * for a 401 a link to the sign-in form. Scripts and clients that do not ask
 * for HTML keep getting the envelope.
 */
import escapeHtml from 'escape-html';
import type { Context } from 'koa';
import type { LivehookError } from '../errors';

/** Set by a router whose routes are pages: its errors may be answered as a page. */
export const PAGE_ROUTE = 'pageRoute';

export function wantsErrorPage(ctx: Context): boolean {
  return ctx.state[PAGE_ROUTE] === true && ctx.accepts('json', 'html') === 'html';
}

export function sendErrorPage(ctx: Context, err: LivehookError): void {
  ctx.status = err.status || 500;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  ctx.set('X-Content-Type-Options', 'nosniff');
  const signIn = err.status === 401 ? `<p><a href="/login?next=${encodeURIComponent(ctx.path)}">Sign in</a> with the admin token.</p>` : '';
  ctx.body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${ctx.status} · livehook</title>
<style>body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; padding: 0 1rem; color: #1f2933; } .code { color: #616e7c; }</style>
</head>
<body>
<h1>${escapeHtml(errorTitle(err))}</h1>
<p class="message">${escapeHtml(err.message)}</p>
${signIn}
<p class="code">HTTP ${ctx.status} · ErrorCode ${err.errorCode}</p>
</body>
</html>
`;
}

function errorTitle(err: LivehookError): string {
  if (err.status === 401) return 'Sign-in needed';
  if (err.status === 404) return 'Not found';
  if (err.status >= 500) return 'Something went wrong';
  return 'Cannot show this page';
}
