/** The Koa application: error envelope first, then each area's routes. */
import Koa from 'koa';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { LivehookError } from '../errors';
import { errorHandler } from './error-handler';

export function createApp(options: { logger: Logger; proxy: boolean; routers: Router[] }): Koa {
  const app = new Koa({ proxy: options.proxy });
  app.silent = true; // errors are logged by errorHandler, once, with context
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
