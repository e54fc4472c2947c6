import type { CheckContext } from 'livehook';
import type { AlertOptions } from './options';

const HOW = 'set LIVEHOOK_ALERT_TO (comma-separated addresses), "mail.alertTo" in config/livehook.json, or "to" in config/plugins/email-alert.json';

/**
 * Mail that would go nowhere is a configuration error when an SMTP server is
 * configured; into the outbox it is still worth writing, so that `npm start`
 * with no configuration works (init warns then). The manifest's `check`:
 * `livehook config check` refuses it as the start does.
 */
export function checkRecipients(options: AlertOptions, context: CheckContext): void {
  const recipients = options.to ?? context.mail.defaultTo;
  if (recipients.length === 0 && context.mail.transport === 'smtp') throw new Error(`no one to send alerts to: ${HOW}`);
}

export function recipientsWarning(): string {
  return `no alert recipients configured: alerts are written to the outbox addressed to undisclosed-recipients (nobody); ${HOW}`;
}
