/** The Mailer that hands each message to an SMTP server, one connection per message. */
import nodemailer, { type SMTPSentMessageInfo, type SMTPTransportOptions, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { PermanentError } from '../errors';
import type { MailMessage, MailResult, Mailer } from '../pipeline/capability-types';
import { addressList, nodemailerMessage, recipientsOf } from './compose';
import type { MailSettings } from './mail-settings';
import { smtpFailure } from './smtp-failure';
import { smtpServerName } from './mail-setup';


function transportOptions(settings: MailSettings): SMTPTransportOptions {
  const timeouts = {
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.greetingTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
  };
  if (settings.smtpUrl) return { url: settings.smtpUrl, ...timeouts };
  const secure = settings.secure ?? settings.port === 465;
  return {
    host: settings.host,
    port: settings.port ?? (secure ? 465 : 587),
    secure,
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    ...(settings.tls ? { tls: { rejectUnauthorized: settings.tls.rejectUnauthorized } } : {}),
    ...timeouts,
  };
}

export class SmtpMailer implements Mailer {
  readonly transport = 'smtp' as const;
  readonly from: string;
  readonly defaultTo: readonly string[];
  readonly server: string;
  // No pool: an alert is rare, and a fresh connection per message means nothing
  // lingers open between alerts and a restarted server is simply reached next time.
  private readonly transporter: Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;

  constructor(
    settings: MailSettings,
    private readonly logger: Logger,
  ) {
    this.from = settings.from;
    this.defaultTo = Object.freeze([...settings.alertTo]);
    this.server = smtpServerName(settings);
    this.transporter = nodemailer.createTransport(transportOptions(settings));
  }

  async send(message: MailMessage): Promise<MailResult> {
    const to = recipientsOf(message, this.defaultTo);
    if (to.length === 0) {
      throw new PermanentError('mail has no recipients: set LIVEHOOK_ALERT_TO or mail.alertTo in config/livehook.json, or give the plugin its own "to"');
    }
    let info: SMTPSentMessageInfo;
    try {
      info = await this.transporter.sendMail(nodemailerMessage(message, this.from, to));
    } catch (err) {
      throw smtpFailure(err, this.server);
    }
    const accepted = addressList(info.accepted);
    const rejected = addressList(info.rejected);
    // Some recipients refused, others took it: not retried, since a retry would
    // mail the ones who already have it again. Said loudly instead.
    if (rejected.length > 0) {
      this.logger.warn({ server: this.server, messageId: info.messageId, rejected, accepted }, `SMTP server ${this.server} refused some recipients: ${rejected.join(', ')}`);
    }
    this.logger.debug({ server: this.server, messageId: info.messageId, response: info.response }, 'mail sent');
    return { messageId: info.messageId, transport: 'smtp', response: info.response, accepted, rejected };
  }

  close(): void {
    this.transporter.close();
  }
}
