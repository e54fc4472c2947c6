/**
 * GET /reports               the trend of the last 30 days and the days that have a report
 *                             (HTML, or the list as JSON for Accept: application/json)
 * GET /reports/YYYY-MM-DD     that day's page
 * GET /reports/YYYY-MM-DD.json that day's data
 *
 * They serve what the `reports` capability holds (in the service: the
 * store, so every instance serves every report) and never build anything.
 * With an admin token configured every route needs it. Failures go to the
 * app's error handler like every route's: the FAIL envelope of /callback, so
 * a client handles one error shape, or the same words as a page for a browser.
 */
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { LivehookError } from '../errors';
import { PAGE_ROUTE } from '../http/error-page';
import { shorten } from '../util/shorten';
import type { Reports } from '../pipeline/capability-types';
import { requireAdminToken } from './admin-auth';
import { isReportDate } from './report-date';
import { readTrend } from './report-trend';
import { reportsIndexPage } from './reports-index-page';

/** A page of ours loads nothing from anywhere: inline CSS and SVG only. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const REPORT_NAME = /^(\d{4}-\d{2}-\d{2})(?:\.(json|html))?$/;

export interface ReportsRouterDeps {
  reports: Reports;
  /** LIVEHOOK_ADMIN_TOKEN; null leaves the routes open. */
  adminToken: string | null;
}

export function reportsRouter(deps: ReportsRouterDeps): Router {
  const router = new Router();
  // No error middleware of its own: failures go to the app's error handler (logged, envelope or error page).
  router.use(markPageRoute);
  // Behind the admin token the pages are one reader's: no shared cache (a proxy) may keep them.
  const cacheControl = deps.adminToken ? 'private, no-cache' : 'no-cache';
  // Set before anything can fail, so a 401 or a 404 is not cached either (a report built later must show).
  router.use(async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', cacheControl);
    await next();
  });
  router.use(requireAdminToken(deps.adminToken));

  router.get('/reports', async (ctx: Context) => {
    const dates = await deps.reports.list();
    ctx.vary('Accept');
    if (ctx.accepts('html', 'json') === 'json') {
      ctx.body = { reports: dates.map((date) => ({ date, html: `/reports/${date}`, json: `/reports/${date}.json` })) };
      return;
    }
    sendPage(ctx, reportsIndexPage(dates, await readTrend(deps.reports, dates), { signedIn: ctx.state.adminSession === true }));
  });

  router.get('/reports/:name', async (ctx: Context) => {
    const name = String(ctx.params.name);
    const m = REPORT_NAME.exec(name);
    if (!m || !isReportDate(m[1])) {
      throw new LivehookError('BAD_DATE', `"${shorten(name)}" is not a report name: use /reports/YYYY-MM-DD for the page or /reports/YYYY-MM-DD.json for the data`, { name: shorten(name) });
    }
    const [, date, ext = 'html'] = m;
    const content = ext === 'json' ? jsonText(await deps.reports.readJson(date)) : await deps.reports.readHtml(date);
    if (content === null) {
      throw new LivehookError('NOT_FOUND', `no report for ${date}: it has not been built (\`livehook report --date ${date}\` builds it); GET /reports lists the days that have one`, { date });
    }
    if (ext === 'json') {
      ctx.type = 'application/json';
      ctx.body = content;
    } else {
      sendPage(ctx, content);
    }
  });

  return router;
}

/** A browser that asks for a page gets its errors as a page too (src/http/error-page.ts). */
async function markPageRoute(ctx: Context, next: Next): Promise<void> {
  ctx.state[PAGE_ROUTE] = true;
  await next();
}

function sendPage(ctx: Context, html: string): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', PAGE_POLICY);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html;
}

/** As the report file is written: indented, so it reads well in a browser too. */
function jsonText(json: unknown): string | null {
  return json === null ? null : `${JSON.stringify(json, null, 2)}\n`;
}
