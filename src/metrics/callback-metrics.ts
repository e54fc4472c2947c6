/**
 * Times every POST /callback and counts the refused ones. It runs outside
 * the error handler, so it sees the status the client really got. Accepted
 * callbacks (ok, duplicate) are counted by ingest's onAccepted instead, the
 * only place that knows whether the event was new: an answer of 200 on
 * /callback is given only after ingest accepted, so each callback is counted
 * exactly once.
 */
import type { Context, Next } from 'koa';
import { commandOfRefused, outcomeOfStatus } from './callback-outcome';
import type { ServiceMetrics } from './service-metrics';

export function callbackMetrics(metrics: ServiceMetrics) {
  return async function measureCallback(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== '/callback' || ctx.method !== 'POST') return next();
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeIngest((performance.now() - started) / 1000);
      if (ctx.status !== 200) {
        metrics.countCallback(commandOfRefused((ctx.request as { body?: unknown }).body, ctx.query), outcomeOfStatus(ctx.status));
      }
    }
  };
}
