/**
 * Callbacks refused for authentication (401 wrong or missing Sign, 403 an
 * SdkAppid not accepted) are logged, at most a line a minute: the first at
 * once, then how many came since and the latest reason. Unlogged, a wrong
 * callback token (a "\r" from an env file) refused every callback while the
 * log said nothing; logged one by one, anyone on the internet could fill the
 * log.
 */
import type { Logger } from 'pino';
import type { LivehookError } from '../errors';

const EVERY_MS = 60_000;

export function refusalLog(logger: Logger, now: () => number = Date.now): (err: LivehookError, path: string) => void {
  let windowStart = -Infinity;
  let unlogged = 0;
  let latest = '';
  let timer: NodeJS.Timeout | null = null;

  const flush = (): void => {
    timer = null;
    if (unlogged === 0) return;
    logger.warn({ refused: unlogged, latest }, `${unlogged} more callback${unlogged === 1 ? '' : 's'} refused for authentication in the last minute; the latest: ${latest}`);
    unlogged = 0;
    windowStart = now();
  };

  return (err, path) => {
    if (path !== '/callback' || (err.code !== 'AUTH_REQUIRED' && err.code !== 'FORBIDDEN_APP')) return;
    latest = err.message;
    if (now() - windowStart >= EVERY_MS && timer === null) {
      windowStart = now();
      logger.warn({ code: err.code, status: err.status }, `callback refused for authentication: ${err.message} (check the callback token and SDKAppIDs against Tencent's console; further refusals are summed up once a minute)`);
      return;
    }
    unlogged++;
    if (timer === null) {
      timer = setTimeout(flush, Math.max(0, windowStart + EVERY_MS - now()));
      timer.unref();
    }
  };
}
