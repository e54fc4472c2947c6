/** What both transports share: who a message goes to and how it looks to nodemailer. */
import type { MailMessage } from '../pipeline/capability-types';

export function recipientsOf(message: MailMessage, defaultTo: readonly string[]): string[] {
  if (message.to === undefined) return [...defaultTo];
  return (Array.isArray(message.to) ? message.to : [message.to]).filter((to) => to.trim().length > 0);
}

/** The fields nodemailer's sendMail takes, for one message from `from` to `to`. */
export function nodemailerMessage(message: MailMessage, from: string, to: string[]) {
  return {
    from,
    to,
    // A subject is one header line: a room name with a line break must not add headers.
    subject: message.subject.replace(/[\r\n]+/g, ' '),
    text: message.text,
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.headers ? { headers: message.headers } : {}),
    ...(message.messageId ? { messageId: message.messageId } : {}),
  };
}

/** nodemailer reports addresses as strings or { address } objects; callers get strings. */
export function addressList(list: ReadonlyArray<string | { address: string }> | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.address));
}
