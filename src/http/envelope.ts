/** Tencent's answer envelope: the only body shape /callback ever sends. */
import type { Context } from 'koa';
import { LivehookError } from '../errors';

export interface Envelope {
  ActionStatus: 'OK' | 'FAIL';
  ErrorCode: number;
  ErrorInfo: string;
}

export const OK_ENVELOPE: Readonly<Envelope> = Object.freeze({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
/** Pre-serialized: the OK answer is on the hot path. */
export const OK_BODY = JSON.stringify(OK_ENVELOPE);

export function failEnvelope(err: LivehookError): Envelope {
  return { ActionStatus: 'FAIL', ErrorCode: err.errorCode || 1, ErrorInfo: err.message };
}

export function sendOk(ctx: Context): void {
  ctx.status = 200;
  ctx.type = 'application/json';
  ctx.body = OK_BODY;
}

export function sendFail(ctx: Context, err: LivehookError): void {
  ctx.status = err.status || 500;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(failEnvelope(err));
}
