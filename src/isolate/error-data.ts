/**
 * Errors across a thread or process boundary: as plain data one way, and
 * back to a LivehookError (a PermanentError stays one, so a delivery that
 * must not be retried is not) the other way.
 */
import { LivehookError, PermanentError, describeError, isLivehookError, type ErrorName } from '../errors';
import type { ErrorData } from './protocol';

export function errorData(err: unknown): ErrorData {
  if (isLivehookError(err)) return { message: err.message, code: err.code, details: plainDetails(err.details) };
  return { message: describeError(err) };
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
