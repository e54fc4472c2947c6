/** GET /metrics in Prometheus text format; behind the admin token when one is set (as /reports). */
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireAdminToken } from '../reports/admin-auth';
import type { ServiceMetrics } from './service-metrics';

export function metricsRouter(deps: { metrics: ServiceMetrics; adminToken: string | null }): Router {
  const router = new Router();
  router.get('/metrics', requireAdminToken(deps.adminToken), async (ctx: Context) => {
    const page = await deps.metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = page.contentType;
    ctx.body = page.text;
  });
  return router;
}
