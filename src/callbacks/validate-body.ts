/**
 * Runs a command's schema over a parsed body and turns joi's verdict into a
 * LivehookError that names the field and says what is expected.
 */
import type Joi from 'joi';
import { LivehookError } from '../errors';
import { fastCheckOf } from './fast-check';
import { explainFailure } from './schemas/messages';

/** The validated, normalized body; throws INVALID_BODY naming the first bad field. */
export function validateBody(command: string, schema: Joi.ObjectSchema, body: Record<string, unknown>): Record<string, unknown> {
  // The compiled check answers for the usual body; joi for the rest, and for every refusal.
  const fast = fastCheckOf(schema)?.(body);
  if (fast !== undefined) return fast as Record<string, unknown>;
  const result = schema.validate(body);
  if (!result.error) return result.value as Record<string, unknown>;
  const detail = result.error.details[0];
  const context = detail?.context as { field?: unknown } | undefined;
  const field = typeof context?.field === 'string' ? context.field : (detail?.context?.label ?? detail?.path.join('.') ?? '');
  const message = detail ? explainFailure(detail, field) : result.error.message;
  throw new LivehookError('INVALID_BODY', message, {
    command,
    field,
    rule: detail?.type,
  });
}
