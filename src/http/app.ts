/** The Koa application: error envelope first, then each area's routes. */
import Koa, { type Middleware } from 'koa';
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
  for (const router of options.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use((ctx) => {
    throw new LivehookError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
  });
  return app;
}
