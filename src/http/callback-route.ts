/**
 * POST /callback: authenticate from the query (before reading the body, so
 * junk from strangers costs nothing), read the raw body under the size cap,
 * then hand it to ingest and answer OK only once it is durably stored.
 */
import querystring from 'node:querystring';
import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import type { Context, Next } from 'koa';
import { LivehookError } from '../errors';
import { normalizeQuery } from '../callbacks/query';
import type { Ingest } from '../pipeline/ingest';
import { authenticate, type AuthSettings } from './auth';
import { sendDecision, sendOk } from './envelope';

export interface CallbackRouteDeps {
  ingest: Ingest;
  auth: AuthSettings;
  bodyLimitBytes: number;
  /** False while the service is stopping: new callbacks get 503 so Tencent retries elsewhere. */
  isAccepting: () => boolean;
}

export function callbackRouter(deps: CallbackRouteDeps): Router {
  const router = new Router();
  const readRawBody = bodyParser({
    enableTypes: ['text'],
    // Tencent sends application/json; read any declared type as text and parse it ourselves, losslessly.
    extendTypes: { text: ['*/*'] },
    textLimit: String(deps.bodyLimitBytes),
    encoding: 'utf-8',
  });

  router.post(
    '/callback',
    async (ctx: Context, next: Next) => {
      // A before-callback's budget runs from here: reading the body is part of Tencent's 2 s.
      ctx.state.arrivedAt = Date.now();
      if (!deps.isAccepting()) throw new LivehookError('SHUTTING_DOWN', 'livehook is shutting down; retry later');
      // querystring.parse takes half the time of Koa's URLSearchParams-based ctx.query (hot path).
      const query = normalizeQuery(querystring.parse(ctx.querystring));
      authenticate(query, deps.auth, Date.now());
      ctx.state.query = query;
      if (!ctx.request.headers['content-type']) ctx.request.headers['content-type'] = 'application/json';
      await next();
    },
    readRawBody,
    async (ctx: Context) => {
      const raw = (ctx.request as { body?: unknown }).body;
      if (typeof raw !== 'string' || raw.trim() === '') {
        throw new LivehookError('EMPTY_BODY', 'empty body: expected a JSON object with CallbackCommand');
      }
      const { decision } = await deps.ingest.accept(raw, ctx.state.query as Record<string, string>, ctx.state.arrivedAt as number);
      if (decision) sendDecision(ctx, decision);
      else sendOk(ctx);
    },
  );

  router.all('/callback', (ctx: Context) => {
    ctx.set('Allow', 'POST');
    throw new LivehookError('METHOD_NOT_ALLOWED', `method ${ctx.method} is not allowed on /callback: use POST`);
  });
  return router;
}
