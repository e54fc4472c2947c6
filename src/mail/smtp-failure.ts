/**
 * Sorts a failed SMTP send into "retrying cannot help" and "try again later",
 * because the durable delivery acts on that difference: a PermanentError goes
 * dead at once with the server's reply recorded; a plain Error is retried.
 *
 * Permanent: the server answered 5xx (RFC 5321: permanent negative reply),
 * e.g. 550 mailbox unavailable, 554 rejected as spam, 535 bad credentials.
 * 503 (bad sequence of commands) is the exception: a new connection may work.
 * Temporary: a 4xx reply, a refused or dropped connection, a time-out, and a
 * TLS certificate not trusted (renewed, it works on the next attempt): that
 * one says how an internal relay with a certificate of its own is let through.
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

/** What Node's TLS says of a certificate it does not trust (node:tls, OpenSSL's verify codes). */
const UNTRUSTED_CERTIFICATE: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

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
  if (errno !== undefined && UNTRUSTED_CERTIFICATE.has(errno)) {
    const failure = new Error(
      `SMTP server ${server} did not take the mail: the TLS certificate it presented is not trusted (${fields.response?.trim() ?? (err as Error).message}, ${errno}). ` +
        'Renew or fix the server\'s certificate; for an internal relay with a certificate of its own, set "mail": { "host": …, "port": …, "tls": { "rejectUnauthorized": false } } in livehook.json',
      { cause: err },
    );
    Object.assign(failure, { smtpServer: server, smtpCode: code ?? null, errno });
    return failure;
  }
  const why = (reply ?? describeError(err)) + (errno && !(reply ?? describeError(err)).includes(errno) ? ` (${errno})` : '');
  const failure = new Error(`SMTP server ${server} did not take the mail (a temporary failure, which the delivery retries while it has attempts left): ${why}`, { cause: err });
  Object.assign(failure, { smtpServer: server, smtpCode: code ?? null, errno: errno ?? null });
  return failure;
}
