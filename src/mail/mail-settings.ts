/**
 * The `mail` section of config/livehook.json: how mail leaves the house.
 *
 * Where mail goes, in order:
 * 1. `smtpUrl` (LIVEHOOK_SMTP_URL), e.g. `smtp://user:pass@host:587` or
 *    `smtps://host:465`. When set it is the whole connection: `host`, `port`,
 *    `secure` and `auth` are then ignored.
 * 2. `host` (+ `port`, `secure`, `auth`, `tls`), the same thing as separate keys,
 *    handy when the password should not sit inside a URL.
 * 3. Neither: every mail is written as an .eml file to `outboxDir`
 *    (default `<data dir>/outbox`), so a fresh install works with no server.
 *
 * `alertTo` (LIVEHOOK_ALERT_TO, comma-separated) is who gets alerts unless a
 * plugin names its own recipients. Every address is checked at start.
 */
import Joi from 'joi';
import { LivehookError } from '../errors';
import { mailbox, mailboxList } from './address';

export interface MailSettings {
  /** smtp:// or smtps:// URL of the server; null when not set. */
  smtpUrl: string | null;
  host?: string;
  /** Default 465 when `secure`, else 587. */
  port?: number;
  /** TLS from the first byte (port 465). Default: true on port 465, else false (STARTTLS when offered). */
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** Set rejectUnauthorized false only for a relay with a self-signed certificate. */
  tls?: { rejectUnauthorized: boolean };
  /** The From header: `addr` or `Name <addr>`. */
  from: string;
  /** Default recipients (bare or `Name <addr>` mailboxes). */
  alertTo: string[];
  /** Where .eml files go when no server is configured; default `<data dir>/outbox`. */
  outboxDir?: string;
  /** How long to wait for the TCP connection to open. */
  connectionTimeoutMs: number;
  /** How long to wait for the server's greeting once connected. */
  greetingTimeoutMs: number;
  /** How long a connection may sit silent mid-conversation. */
  socketTimeoutMs: number;
}

// A password holding @ : / ? # or % breaks the URL unless percent-encoded (p@ss -> p%40ss), the usual cause.
const SMTP_URL_HINT =
  '{{#label}} must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587 (a user name or password holding @ : / ? # or % must be percent-encoded: p@ss is written p%40ss)';

function decodesAsUri(value: string): boolean {
  try {
    decodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

export const DEFAULT_FROM = 'livehook <livehook@localhost>';

const timeoutMs = (fallback: number) => Joi.number().integer().min(100).max(10 * 60 * 1000).default(fallback);

export const mailSettingsSchema: Joi.ObjectSchema<MailSettings> = Joi.object<MailSettings>({
  // '' counts as unset, so `LIVEHOOK_SMTP_URL=` switches back to the outbox.
  smtpUrl: Joi.string()
    .trim()
    .empty('')
    .uri({ scheme: ['smtp', 'smtps'] })
    // joi's uri() lets through a % that starts no escape (p%ss) or escapes half a character (p%E0):
    // nodemailer then sends the password as typed, and the login fails only at the first mail.
    .custom((value: string, helpers) => (decodesAsUri(value) ? value : helpers.error('string.uri')))
    .allow(null)
    .default(null)
    // Never echo the value: it may hold a password.
    .messages({ 'string.uriCustomScheme': SMTP_URL_HINT, 'string.uri': SMTP_URL_HINT }),
  host: Joi.string().trim().hostname(),
  port: Joi.number().integer().min(1).max(65535),
  secure: Joi.boolean(),
  auth: Joi.object({
    user: Joi.string().required(),
    pass: Joi.string().allow('').required(),
  }),
  tls: Joi.object({ rejectUnauthorized: Joi.boolean().default(true) }),
  from: mailbox().default(DEFAULT_FROM),
  alertTo: mailboxList().default([]),
  outboxDir: Joi.string().trim().min(1),
  connectionTimeoutMs: timeoutMs(10_000),
  greetingTimeoutMs: timeoutMs(10_000),
  socketTimeoutMs: timeoutMs(60_000),
})
  .with('port', 'host')
  .with('secure', 'host')
  .with('auth', 'host')
  .with('tls', 'host')
  .messages({ 'object.with': '{{#label}} sets "{{#main}}" but not "{{#peer}}": name the SMTP server in "host", or use "smtpUrl" instead' });

/**
 * Validate a `mail` section on its own (tests, tools). The service validates
 * it as part of config/livehook.json, where errors name the file too.
 */
export function parseMailSettings(input: unknown): MailSettings {
  const { value, error } = mailSettingsSchema.validate(input ?? {}, { abortEarly: false });
  if (error) {
    throw new LivehookError('CONFIG_INVALID', `invalid mail settings: ${error.details.map((d) => d.message).join('; ')}`, {
      keys: error.details.map((d) => d.path.join('.')),
    });
  }
  return value;
}
