/**
 * Sorts a failed SMTP send into "retrying cannot help" and "try again later",
 * because the durable delivery acts on that difference: a PermanentError goes
 * dead at once with the server's reply recorded; a plain Error is retried.
 *
 * Permanent: the server answered 5xx (RFC 5321: permanent negative reply),
 * e.g. 550 mailbox unavailable, 554 rejected as spam, 535 bad credentials.
 * 503 (bad sequence of commands) is the exception: a new connection may work.
 * Temporary: a 4xx reply, a refused or dropped connection, a time-out.
 */
import { PermanentError, describeError } from '../errors';

/** The fields nodemailer puts on the errors it throws. */
interface SmtpErrorFields {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
}

export function isPermanentReply(responseCode: number): boolean {
  return responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

/**
 * The error to throw for a send that failed. `server` is `host:port`
 * (never the URL: it may hold a password).
 */
export function smtpFailure(err: unknown, server: string): Error {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorFields;
  const reply = fields.response?.trim();
  const code = fields.responseCode;

  if (typeof code === 'number' && (fields.permanent ?? isPermanentReply(code))) {
    return new PermanentError(
      `SMTP server ${server} refused the mail for good${fields.command ? ` at ${fields.command}` : ''}: ${reply ?? describeError(err)}`,
      { smtpServer: server, smtpCode: code, smtpReply: reply ?? null, smtpCommand: fields.command ?? null },
      { cause: err },
    );
  }

  const errno = fields.originalCode ?? fields.code;
  const why = (reply ?? describeError(err)) + (errno && !(reply ?? describeError(err)).includes(errno) ? ` (${errno})` : '');
  const failure = new Error(`SMTP server ${server} did not take the mail (temporary, will be retried): ${why}`, { cause: err });
  Object.assign(failure, { smtpServer: server, smtpCode: code ?? null, errno: errno ?? null });
  return failure;
}
