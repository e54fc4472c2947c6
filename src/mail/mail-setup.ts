/**
 * Where mail goes and what to warn of in its settings, said once by the
 * service at start and by `livehook config check` (without loading the
 * SMTP client: the start does not need nodemailer).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_FROM, type MailSettings } from './mail-settings';

/** Where the server is, for messages and logs (`host:port`, never the password). */
export function smtpServerName(settings: MailSettings): string {
  if (settings.smtpUrl) {
    const url = new URL(settings.smtpUrl);
    const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
    return `${url.hostname}:${port}`;
  }
  const secure = settings.secure ?? settings.port === 465;
  return `${settings.host}:${settings.port ?? (secure ? 465 : 587)}`;
}

/**
 * Where mail goes, and the advice about it, said once: by the service at
 * start (each plugin's mailer, in its isolate, is created quiet; two
 * plugins with the mailer each said it again).
 */
export function logMailSetup(settings: MailSettings, dataDir: string, logger: Logger): void {
  if (settings.smtpUrl || settings.host) {
    const server = smtpServerName(settings);
    logger.info({ server, from: settings.from, alertTo: settings.alertTo }, `mail goes through the SMTP server ${server}`);
    for (const warning of mailWarnings(settings)) logger.warn(warning);
    return;
  }
  const dir = outboxDir(settings, dataDir);
  logger.info({ outbox: dir, alertTo: settings.alertTo }, `no SMTP server configured (LIVEHOOK_SMTP_URL or mail.smtpUrl / mail.host): mail is written as .eml files to ${dir}`);
}

/** What `livehook config check` and the start warn of in the mail settings. */
export function mailWarnings(settings: MailSettings): string[] {
  if (!(settings.smtpUrl || settings.host) || settings.from !== DEFAULT_FROM) return [];
  return [`mail is sent From "${DEFAULT_FROM}", which many SMTP servers refuse (550/553): set "mail.from" in config/livehook.json to an address the server accepts`];
}

export function outboxDir(settings: MailSettings, dataDir: string): string {
  return path.resolve(settings.outboxDir ?? path.join(dataDir, 'outbox'));
}
