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

/** A before-callback's answer: Tencent reads ErrorCode (0 lets it happen, 1 or an app code refuses it). */
export function sendDecision(ctx: Context, decision: { code: number; info: string }): void {
  if (decision.code === 0 && decision.info === '') return sendOk(ctx);
  ctx.status = 200;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ ActionStatus: 'OK', ErrorInfo: decision.info, ErrorCode: decision.code } satisfies Envelope);
}

export function sendFail(ctx: Context, err: LivehookError): void {
  ctx.status = err.status || 500;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(failEnvelope(err));
}
