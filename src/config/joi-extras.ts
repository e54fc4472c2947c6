/** joi types our config needs that joi has not: an IANA zone and a cron expression. */
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
