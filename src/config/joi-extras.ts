/** joi types our config needs that joi has not: an IANA zone, a cron expression, a time a timer can wait. */
import Joi from 'joi';
import cron from 'node-cron';
import { canonicalTimeZone } from '../util/time-zone';

export function timezoneName(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => {
    const canonical = canonicalTimeZone(value);
    if (canonical !== null) return canonical;
    return helpers.message({ custom: `{{#label}} must be an IANA time zone such as "Asia/Shanghai" or "UTC", not "${value}"` });
  }, 'IANA time zone');
}

export function cronExpression(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => {
    if (cron.validate(value)) return value;
    return helpers.message({ custom: `{{#label}} must be a cron expression (5 fields, or 6 with seconds first), not "${value}"` });
  }, 'cron expression');
}

/** The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A number of milliseconds the service waits with a timer. */
export function timerMs(min: number): Joi.NumberSchema {
  return Joi.number()
    .integer()
    .min(min)
    .max(MAX_TIMER_MS)
    .messages({ 'number.max': `{{#label}} must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest a Node.js timer waits), not {{#value}}` });
}
