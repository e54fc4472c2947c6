/**
 * The plugin's options: everything in config/plugins/stats-rollup.json
 * except the keys livehook itself reads (enabled, capabilities, ...).
 * livehook validates them with this schema before the plugin starts, so a
 * typo stops the service with the file and the key named.
 */
import Joi from 'joi';
import { validate as isCronExpression } from 'node-cron';

export interface RollupOptions {
  /** Cron expression (5 fields, or 6 with seconds) of the daily build, in the service's time zone. */
  schedule: string;
  /** At start, build the days of this many past days that have rooms but no report (0 turns it off). */
  catchUpDays: number;
  /** How many rooms each top list holds. */
  topRooms: number;
  /** Mail each day's report to these addresses after it is built; empty: no mail. */
  mailTo: string[];
  /** A room that arrives for a day already reported is gathered this long before the day is rebuilt. */
  reviseDelayMs: number;
  /** Room records of this many past days are kept (a day can be rebuilt while they are); older ones go after each daily run. */
  keepDays: number;
}

export const optionsSchema = Joi.object<RollupOptions>({
  // LIVEHOOK_ROLLUP_SCHEDULE sets this (the config loader maps it here).
  schedule: Joi.string()
    .trim()
    .default('5 0 * * *')
    .custom((value: string, helpers) => {
      if (isCronExpression(value)) return value;
      return helpers.message({
        custom: `must be a cron expression: 5 fields "minute hour day-of-month month day-of-week", or 6 with a leading seconds field, e.g. "5 0 * * *" (got "${value}"; LIVEHOOK_ROLLUP_SCHEDULE sets it)`,
      });
    }),
  catchUpDays: Joi.number().integer().min(0).max(366).default(7),
  topRooms: Joi.number().integer().min(1).max(100).default(10),
  mailTo: Joi.array().items(Joi.string().trim().email({ tlds: { allow: false } })).single().default([]),
  reviseDelayMs: Joi.number().integer().min(0).max(3_600_000).default(5_000),
  keepDays: Joi.number()
    .integer()
    .min(1)
    .max(36_500)
    // Set, it must cover catchUpDays; left out, it does.
    .default((parent: { catchUpDays?: number }) => Math.max(90, parent.catchUpDays ?? 0))
    .custom((value: number, helpers) => {
      // The catch-up builds its days from their rooms: they must still be there.
      const catchUpDays = (helpers.state.ancestors[0] as { catchUpDays?: number }).catchUpDays ?? 0;
      if (value >= catchUpDays) return value;
      return helpers.message({ custom: `must be at least catchUpDays (${catchUpDays}): the catch-up builds days from their rooms (got ${value})` });
    }),
});
