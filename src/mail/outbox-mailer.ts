/**
 * The Mailer used when no SMTP server is configured: each message becomes an
 * .eml file in the outbox folder, readable by any mail client, so a fresh
 * install shows what it would have sent.
 */
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { MailMessage, MailResult, Mailer } from '../pipeline/capability-types';
import { nodemailerMessage, recipientsOf } from './compose';
import { emlFileName, writeEmlFile } from './eml-file';
import type { MailSettings } from './mail-settings';

export class OutboxMailer implements Mailer {
  readonly transport = 'outbox' as const;
  readonly from: string;
  readonly defaultTo: readonly string[];
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  constructor(
    settings: MailSettings,
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.from = settings.from;
    this.defaultTo = Object.freeze([...settings.alertTo]);
  }

  async send(message: MailMessage): Promise<MailResult> {
    // With no recipients at all the file is still written (To: undisclosed-recipients),
    // so that an install with nothing configured yet still shows its alerts.
    const to = recipientsOf(message, this.defaultTo);
    const info = await this.composer.sendMail(nodemailerMessage(message, this.from, to.length > 0 ? to : ['undisclosed-recipients:;']));
    let file: string;
    try {
      file = await writeEmlFile(this.dir, emlFileName(info.messageId), info.message as Buffer);
    } catch (err) {
      // A plain Error: the delivery is retried once the disk or the permission is fixed.
      throw new Error(`could not write mail to the outbox ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    this.logger.info({ file, messageId: info.messageId, subject: message.subject }, `mail written to ${file}`);
    return { messageId: info.messageId, transport: 'outbox', file, accepted: to, rejected: [] };
  }

  close(): void {
    this.composer.close();
  }
}
