/**
 * Turns anything thrown below into the FAIL envelope with the right status
 * (or, for a browser on a page route, the same words as a page: ./error-page.ts).
 * Every route's errors end here, so each 500 is logged once.
 * Client mistakes keep their 4xx and words; a body-reader error is
 * translated (oversized: 413 and the connection is closed, since the rest of
 * the upload is not read beyond the drain bound); a 503 says when to retry;
 * only our own bugs become a 500, and those are logged.
 */
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { refusalLog } from './refusal-log';
import { LivehookError, isLivehookError } from '../errors';
import { sendFail } from './envelope';
import { sendErrorPage, wantsErrorPage } from './error-page';

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  limit?: number;
}

export function errorHandler(logger: Logger) {
  const noteRefusal = refusalLog(logger);
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (thrown) {
      const err = toLivehookError(thrown as HttpError);
      noteRefusal(err, ctx.path);
      if (err.status === 413) ctx.set('Connection', 'close');
      if (err.status === 503) ctx.set('Retry-After', '1');
      // STORE_UNAVAILABLE, STORE_TOO_SLOW: the store logs the outage itself, not once per request.
      if (err.status >= 500 && err.code !== 'OVERLOADED' && err.code !== 'SHUTTING_DOWN' && err.code !== 'NOT_READY' && err.code !== 'STORE_UNAVAILABLE' && err.code !== 'STORE_TOO_SLOW') {
        logger.error({ err: thrown, path: ctx.path, method: ctx.method }, 'request failed inside livehook');
      }
      if (wantsErrorPage(ctx)) sendErrorPage(ctx, err);
      else sendFail(ctx, err);
    }
  };
}

function toLivehookError(err: HttpError): LivehookError {
  if (isLivehookError(err)) return err;
  const status = err.status ?? err.statusCode;
  if (status === 413 || err.type === 'entity.too.large') {
    return new LivehookError('TOO_LARGE', `body too large: the limit is ${err.limit ?? 'the configured'} bytes`);
  }
  if (status === 415 || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return new LivehookError('BAD_ENCODING', `unsupported body encoding: ${err.message}`);
  }
  if (status === 400 && (err.type === 'request.aborted' || err.type === 'request.size.invalid' || err.expose)) {
    return new LivehookError('INVALID_BODY', `could not read the body: ${err.message}`);
  }
  return new LivehookError('INTERNAL', 'internal error: livehook could not handle this request (logged)', {}, { cause: err });
}
