/** The sign-in form of GET /login (one field, the admin token) and the sign-out button; no script. */
import escapeHtml from 'escape-html';

export function loginPage(options: { next: string; error?: string; signedOut?: boolean }): string {
  const notice = options.error
    ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>`
    : options.signedOut ? '<p class="notice">You are signed out.</p>' : '';
  return page('Sign in', `${notice}
<form method="post" action="/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<button type="submit">Sign in</button>
</form>
<p class="hint">The token is the service's LIVEHOOK_ADMIN_TOKEN. Signing in keeps you in for 12 hours in this browser.</p>`);
}

/** What /logout shows when another site's page sent the browser there: signing out takes the operator's own click. */
export function logoutPage(): string {
  return page('Sign out', `<p class="notice">Another page sent you here to sign out of livehook's reports.</p>
<form method="post" action="/logout">
<button type="submit">Sign out</button>
</form>
<p class="hint"><a href="/reports">Back to the reports</a></p>`);
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · livehook</title>
<style>
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 3rem auto; max-width: 24rem; padding: 0 1rem; color: #1f2933; }
  h1 { font-size: 1.4rem; }
  label { display: block; font-weight: 600; margin-bottom: .25rem; }
  input[type=password] { width: 100%; padding: .45rem .5rem; font: inherit; border: 1px solid #9aa5b1; border-radius: 6px; }
  button { margin-top: .75rem; padding: .45rem 1.2rem; font: inherit; border: 0; border-radius: 6px; background: #1f5fbf; color: #fff; cursor: pointer; }
  .error { color: #b83232; } .notice, .hint { color: #616e7c; font-size: .9rem; }
</style>
</head>
<body>
<h1>livehook reports</h1>
${content}
</body>
</html>
`;
}
