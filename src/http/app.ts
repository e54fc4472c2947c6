/** The Koa application: error envelope first, then each area's routes. */
import Koa, { type Context, type Middleware, type Next } from 'koa';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { LivehookError } from '../errors';
import { errorHandler } from './error-handler';

/** `outer`: middleware that sees every request and its final answer (metrics), outside the error handler. */
export function createApp(options: { logger: Logger; proxy: boolean; routers: Router[]; outer?: Middleware[] }): Koa {
  const app = new Koa({ proxy: options.proxy });
  app.silent = true; // errors are logged by errorHandler, once, with context
  for (const middleware of options.outer ?? []) app.use(middleware);
  app.use(errorHandler(options.logger));
  app.use(answerUnrouted);
  for (const router of options.routers) {
    app.use(router.routes());
    // Sets 405 with an Allow header (or 501 for a method no route has) on a known path, once the routes below found nothing.
    app.use(router.allowedMethods());
  }
  return app;
}

/**
 * A request no route answered gets the envelope with words: 404 for an
 * unknown path, 405 naming the methods the path takes (POST /healthz).
 * A thrown 404 at the bottom of the stack would skip the routers'
 * allowedMethods, which only look once everything below has returned.
 */
async function answerUnrouted(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.body != null) return;
  if (ctx.status === 405 || ctx.status === 501) {
    const allow = ctx.response.get('Allow');
    throw new LivehookError('METHOD_NOT_ALLOWED', `method ${ctx.method} is not allowed on ${ctx.path}: use ${allow.split(', ').join(' or ')}`);
  }
  if (ctx.status === 404) throw new LivehookError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
}
