/**
 * stats-rollup: daily reports of the rooms that closed.
 *
 * Every Live.CallbackAfterDestroyRoom carries the room's lifetime statistics
 * (viewers, gifts, gift coins, unique gift senders, likes). This plugin keeps
 * them, one record per event, and each night builds the previous day's report
 * into <data dir>/reports/<date>.json and .html, served under /reports.
 *
 * It is written exactly as your own plugin would be: it imports only
 * 'livehook', 'tsyringe' and 'joi', asks for its capabilities in the manifest,
 * and gets them (granted in config/plugins/stats-rollup.json) by injection.
 * See README.md beside this file.
 */
import { definePlugin } from 'livehook';
import { StatsRollupHandler } from './handler';
import { optionsSchema } from './options';

export default definePlugin({
  name: 'stats-rollup',
  version: '1.0.0',
  description: 'Daily reports of closed rooms and their statistics, under /reports',
  // Gifts count only when a plugin decided them (gift-guard): the report then shows those let through and refused.
  commands: ['Live.CallbackAfterDestroyRoom', 'Live.CallbackBeforeSendGift'],
  tasks: ['report'],
  options: optionsSchema,
  // store: its room records; scheduler: the daily job; reports: the reports folder;
  // mailer: the optional daily mail (sent only when the option mailTo lists someone).
  capabilities: ['store', 'scheduler', 'reports', 'mailer'],
  // Rooms are independent of each other: record up to 32 at once, so their
  // writes share a commit instead of waiting on one another.
  concurrency: 32,
  handler: StatsRollupHandler,
});
