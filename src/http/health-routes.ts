/** /healthz: the process is up and serving. /readyz: it can take callbacks now. */
import Router from '@koa/router';
import type { Context } from 'koa';

export interface Readiness {
  /** Resolves with null when ready, or the reason it is not. */
  check(): Promise<string | null>;
}

export function healthRouter(readiness: Readiness): Router {
  const router = new Router();
  router.get('/healthz', (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store'); // a probe must see the answer of now, never a cached one
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx: Context) => {
    const reason = await readiness.check();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = reason === null ? 200 : 503;
    ctx.body = reason === null ? { status: 'ready' } : { status: 'not ready', reason };
  });
  return router;
}
