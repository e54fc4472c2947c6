/** The Koa application: error envelope first, then each area's routes. */
import Koa, { type Context, type Middleware } from 'koa';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { LivehookError } from '../errors';
import { shorten } from '../util/shorten';
import { errorHandler } from './error-handler';

/** `outer`: middleware that sees every request and its final answer (metrics), outside the error handler. */
export function createApp(options: { logger: Logger; proxy: boolean; routers: Router[]; outer?: Middleware[] }): Koa {
  const app = new Koa({ proxy: options.proxy });
  app.silent = true; // errors are logged by errorHandler, once, with context
  for (const middleware of options.outer ?? []) app.use(middleware);
  app.use(errorHandler(options.logger));
  for (const router of options.routers) app.use(router.routes());
  app.use(answerUnrouted);
  return app;
}

/**
 * A request no route answered gets the envelope with words: 404 for an
 * unknown path, 405 and an Allow header naming the methods a known path
 * takes (POST /healthz), 200 and that header for OPTIONS. The routers leave
 * in ctx.matched the routes whose path matched. (Their own allowedMethods
 * middleware only looks once the stack below has returned, after a thrown
 * 404, and would wrap every request, /callback's too.)
 */
function answerUnrouted(ctx: Context): void {
  const matched = (ctx as Context & { matched?: Array<{ methods: string[] }> }).matched ?? [];
  const allowed = [...new Set(matched.flatMap((layer) => layer.methods))];
  if (allowed.length === 0) throw new LivehookError('NOT_FOUND', `no route for ${ctx.method} ${shorten(ctx.path)}`);
  ctx.set('Allow', allowed.join(', '));
  if (ctx.method === 'OPTIONS') {
    ctx.body = '';
    return;
  }
  const methods = allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
  throw new LivehookError('METHOD_NOT_ALLOWED', `method ${ctx.method} is not allowed on ${shorten(ctx.path)}: use ${methods}`);
}
