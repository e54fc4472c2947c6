/**
 * POST /callback: authenticate from the query (before reading the body, so
 * junk from strangers costs nothing: an Expect: 100-continue client is not
 * even invited to send it), read the body under the size cap and the
 * in-flight budget, decompressed and decoded (read-body.ts), then hand it to
 * ingest and answer OK only once it is durably stored.
 */
import querystring from 'node:querystring';
import Router from '@koa/router';
import type { Context } from 'koa';
import { LivehookError } from '../errors';
import { normalizeQuery } from '../callbacks/query';
import type { Ingest } from '../pipeline/ingest';
import { authenticate, type AuthSettings } from './auth';
import { BodyBudget } from './body-budget';
import { sendDecision, sendOk } from './envelope';
import { readBody } from './read-body';

export interface CallbackRouteDeps {
  ingest: Ingest;
  auth: AuthSettings;
  bodyLimitBytes: number;
  /** http.bodyTimeoutMs: how long a body may take to arrive. */
  bodyTimeoutMs: number;
  /** ingest.maxBodyBytesInFlight: bytes of bodies being received at once, past which a new one gets 503. */
  maxBodyBytesInFlight: number;
  /** False while the service is stopping: new callbacks get 503 so Tencent retries elsewhere. */
  isAccepting: () => boolean;
}

export function callbackRouter(deps: CallbackRouteDeps): Router {
  const router = new Router();
  const budget = new BodyBudget(deps.maxBodyBytesInFlight);

  router.post('/callback', async (ctx: Context) => {
    // A before-callback's budget runs from here: reading the body is part of Tencent's 2 s.
    const arrivedAt = Date.now();
    let query: Record<string, string>;
    let raw: string;
    try {
      if (!deps.isAccepting()) throw new LivehookError('SHUTTING_DOWN', 'livehook is shutting down; retry later');
      // querystring.parse takes half the time of Koa's URLSearchParams-based ctx.query (hot path).
      query = normalizeQuery(querystring.parse(ctx.querystring));
      authenticate(query, deps.auth, arrivedAt);
      raw = await readBody(ctx.req, ctx.res, { limitBytes: deps.bodyLimitBytes, budget, timeoutMs: deps.bodyTimeoutMs });
    } catch (err) {
      // Answered before its body was read: the rest of that upload is not wanted, nor the connection it holds.
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      throw err;
    }
    // Kept where the metrics of a refused callback look for its command.
    (ctx.request as { body?: unknown }).body = raw;
    if (raw.trim() === '') {
      throw new LivehookError('EMPTY_BODY', 'empty body: expected a JSON object with CallbackCommand');
    }
    const { decision } = await deps.ingest.accept(raw, query, arrivedAt);
    if (decision) sendDecision(ctx, decision);
    else sendOk(ctx);
  });

  router.all('/callback', (ctx: Context) => {
    ctx.set('Allow', 'POST');
    // OPTIONS asks which methods there are: answered as on every other route (src/http/app.ts).
    if (ctx.method === 'OPTIONS') {
      ctx.body = '';
      return;
    }
    throw new LivehookError('METHOD_NOT_ALLOWED', `method ${ctx.method} is not allowed on /callback: use POST`);
  });
  return router;
}
