/**
 * Builds the service's Mailer from the `mail` settings: SMTP when a server is
 * configured (smtpUrl or host), else the outbox of .eml files.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Mailer } from '../pipeline/capability-types';
import { observeSends, type MailOutcomeListener } from '../metrics/observe-sends';
import { DEFAULT_FROM, type MailSettings } from './mail-settings';
import { OutboxMailer } from './outbox-mailer';
import { SmtpMailer } from './smtp-mailer';

export interface MailerDeps {
  /** The service's data dir; the outbox defaults to `<dataDir>/outbox`. */
  dataDir: string;
  logger: Logger;
  /** Told of each mail sent or failed (metrics). */
  onSend?: MailOutcomeListener;
  /** A command that sends no mail (`livehook report`): no advice about how mail is set up. */
  quiet?: boolean;
}

export function createMailer(settings: MailSettings, deps: MailerDeps): Mailer & { close(): void } {
  if (settings.smtpUrl || settings.host) {
    const mailer = new SmtpMailer(settings, deps.logger);
    if (deps.quiet) return observeSends(mailer, deps.onSend);
    deps.logger.info({ server: mailer.server, from: mailer.from, alertTo: mailer.defaultTo }, `mail goes through the SMTP server ${mailer.server}`);
    if (settings.from === DEFAULT_FROM) {
      deps.logger.warn(`mail is sent From "${DEFAULT_FROM}", which many SMTP servers refuse (550/553): set "mail.from" in config/livehook.json to an address the server accepts`);
    }
    return observeSends(mailer, deps.onSend);
  }
  const dir = path.resolve(settings.outboxDir ?? path.join(deps.dataDir, 'outbox'));
  if (!deps.quiet) deps.logger.info(
    { outbox: dir, alertTo: settings.alertTo },
    `no SMTP server configured (LIVEHOOK_SMTP_URL or mail.smtpUrl / mail.host): mail is written as .eml files to ${dir}`,
  );
  return observeSends(new OutboxMailer(settings, dir, deps.logger), deps.onSend);
}
