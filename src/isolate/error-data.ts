/**
 * Errors across a thread or process boundary: as plain data one way, and
 * back to a LivehookError (a PermanentError stays one, so a delivery that
 * must not be retried is not) the other way.
 */
import { LivehookError, PermanentError, isLivehookError, type ErrorName } from '../errors';
import type { ErrorData } from './protocol';
import { plainFailure, readSafely } from './inside/plain-failure';

export function errorData(err: unknown): ErrorData {
  if (readSafely(() => isLivehookError(err), false)) {
    const known = err as LivehookError;
    return { message: known.message, code: known.code, details: plainDetails(known.details) };
  }
  // Whatever a plugin threw (it may trap every read): what can be read of it.
  const failure = plainFailure(err);
  return failure instanceof PermanentError ? { message: failure.message, code: failure.code, details: {} } : { message: failure.message };
}

export function errorFromData(data: ErrorData): Error {
  if (data.code === 'PERMANENT_FAILURE') return new PermanentError(data.message, data.details ?? {});
  if (data.code) return new LivehookError(data.code as ErrorName, data.message, data.details ?? {});
  return new Error(data.message);
}

function plainDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  return out;
}
