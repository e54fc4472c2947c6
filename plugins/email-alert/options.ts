/**
 * The plugin's options: everything in config/plugins/email-alert.json beside
 * the reserved keys (enabled, capabilities, timeoutMs, retry). livehook
 * validates them with this schema before the plugin starts, so a typo stops
 * the start with the key named instead of silently sending nothing.
 */
import Joi from 'joi';
import { DEFAULT_HTML, DEFAULT_SUBJECT, DEFAULT_TEXT } from './default-templates';
import { PLACEHOLDERS, unknownPlaceholders } from './template';

export interface AlertOptions {
  /** Callback commands that can raise an alert. */
  commands: string[];
  /** EventTypes that raise an alert, or '*' for any (also for commands that carry none). */
  eventTypes: string[] | '*';
  /** Recipients for this plugin's mail; omitted = the mailer's (LIVEHOOK_ALERT_TO / mail.alertTo). */
  to?: string[];
  subject: string;
  text: string;
  html: string;
  storm: {
    /** Single alerts allowed per window; past it, rooms wait for the window's digest. 0 = digests only. */
    maxAlerts: number;
    /** Window length. A window opens with the first alert after the previous one closed. */
    windowMinutes: number;
    /** The most rooms one digest mail lists; a larger storm's digest goes in several mails. */
    roomsPerDigestMail: number;
  };
  /** Alert and digest records of this many past days are kept (they stop a redelivered event being mailed twice). */
  keepDays: number;
}

// Domains need no dot (ops@localhost on an internal relay); a bare word is refused.
const address = Joi.string().trim().email({ tlds: false, minDomainSegments: 1, allowUnicode: true }).messages({
  'string.email': '{{#label}} "{{#value}}" is not a valid e-mail address',
});

/** A template string whose {{placeholders}} must all be known. */
const template = (fallback: string) =>
  Joi.string()
    .min(1)
    .custom((value: string, helpers) => {
      const unknown = unknownPlaceholders(value);
      if (unknown.length === 0) return value;
      return helpers.message({
        // (no braces in the message itself: joi would read them as its own template)
        custom: `{{#label}} uses unknown placeholder ${unknown.map((n) => `"${n}"`).join(', ')}; known placeholders: ${PLACEHOLDERS.join(', ')}`,
      });
    })
    .default(fallback);

export const optionsSchema = Joi.object<AlertOptions>({
  commands: Joi.array().items(Joi.string().min(1)).min(1).unique().default(['Live.CallbackAfterDestroyRoom']),
  eventTypes: Joi.alternatives()
    .try(
      Joi.string().valid('*'),
      // "*" means any only on its own: in a list it would be taken for an EventType named "*".
      Joi.array()
        .items(Joi.string().min(1).invalid('*').messages({ 'any.invalid': '{{#label}} is "*", which means any EventType as the value itself, not as an item of a list: write "eventTypes": "*"' }))
        .min(1)
        .unique(),
    )
    .default(['DestroyBySystem']),
  to: Joi.array().items(address).single().min(1),
  subject: template(DEFAULT_SUBJECT),
  text: template(DEFAULT_TEXT),
  html: template(DEFAULT_HTML),
  storm: Joi.object({
    maxAlerts: Joi.number().integer().min(0).default(10),
    windowMinutes: Joi.number().positive().max(24 * 60).default(5),
    // About 800 bytes a room: 1,000 rooms make a mail of under 1 MB, well within what SMTP servers take.
    roomsPerDigestMail: Joi.number().integer().min(1).max(10_000).default(1000),
  }).default(),
  keepDays: Joi.number().integer().min(1).max(36_500).default(90),
});
