/**
 * logging: one JSON line per callback, to stdout and/or a file under the
 * data dir. The smallest complete plugin: copy it to start your own.
 */
import Joi from 'joi';
import { definePlugin } from 'livehook';
import { EventLogHandler } from './event-log-handler';

export default definePlugin({
  name: 'logging',
  version: '1.0.0',
  description: 'Writes one JSON line per callback (time, command, room, event type, operator, owner, statistics).',
  // Every command, unknown ones included: the log is the record of what arrived.
  commands: '*',
  // The event log is <data dir>/logs/events.log, outside the plugin's own data
  // dir: writing there takes the "fs" grant (config/plugins/logging.json).
  capabilities: ['fs'],
  options: Joi.object({
    stdout: Joi.boolean().default(true),
    /** A file name under <data dir>/logs/, or null for no file. */
    file: Joi.string()
      .pattern(/^[\w.-]+$/, 'a plain file name (letters, digits, "_", "." and "-")')
      .allow(null)
      .default(null),
    /** Also write the raw body as received (bigger lines, exact bytes). */
    includeRaw: Joi.boolean().default(false),
  }),
  handler: EventLogHandler,
});
