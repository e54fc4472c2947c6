/**
 * Builds the service's Mailer from the `mail` settings: SMTP when a server is
 * configured (smtpUrl or host), else the outbox of .eml files.
 */
import type { Logger } from 'pino';
import type { Mailer } from '../pipeline/capability-types';
import { observeSends, type MailOutcomeListener } from '../metrics/observe-sends';
import type { MailSettings } from './mail-settings';
import { OutboxMailer } from './outbox-mailer';
import { SmtpMailer } from './smtp-mailer';
import { logMailSetup, outboxDir } from './mail-setup';

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
  if (!deps.quiet) logMailSetup(settings, deps.dataDir, deps.logger);
  if (settings.smtpUrl || settings.host) return observeSends(new SmtpMailer(settings, deps.logger), deps.onSend);
  return observeSends(new OutboxMailer(settings, outboxDir(settings, deps.dataDir), deps.logger), deps.onSend);
}
