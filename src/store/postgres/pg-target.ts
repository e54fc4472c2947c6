/**
 * Where a DATABASE_URL points, said without its password, and driver errors
 * turned into one line a person can act on.
 *
 * Every message the PostgreSQL store produces names the database this way
 * ("postgres@db.internal:5432/livehook"), never the URL itself: URLs carry
 * passwords, and messages end up in logs and HTTP answers.
 */
import { LivehookError } from '../../errors';

export interface PgTarget {
  /** user@host:port/database, for messages. */
  description: string;
  /** The password in the URL, if any: scrubbed from every message. */
  secret: string | null;
}

export function describeTarget(connectionString: string): PgTarget {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new LivehookError(
      'CONFIG_INVALID',
      'DATABASE_URL is not a URL; expected postgres://user[:password]@host[:port]/database',
      { field: 'DATABASE_URL' },
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new LivehookError(
      'CONFIG_INVALID',
      `DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`,
      { field: 'DATABASE_URL' },
    );
  }
  const user = decodeURIComponent(url.username) || '(default user)';
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = url.port || '5432';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  const secret = url.password ? decodeURIComponent(url.password) : null;
  return { description: `${user}@${host}:${port}/${database}`, secret };
}

/**
 * One line for anything pg throws. Node reports a refused connection to a
 * name with several addresses as an AggregateError with an empty message;
 * pg's server errors carry a code (SQLSTATE) and sometimes a detail.
 */
export function describePgError(err: unknown, secret: string | null): string {
  let text = describeAny(err);
  if (secret) text = text.split(secret).join('***');
  return text;
}

function describeAny(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    const inner = [...new Set(err.errors.map(describeAny))];
    return inner.join('; ');
  }
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; detail?: unknown };
    let text = e.message || (typeof e.code === 'string' ? e.code : e.name);
    if (typeof e.detail === 'string' && e.detail) text += ` (${e.detail})`;
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) text += ` [SQLSTATE ${e.code}]`;
    return text;
  }
  return String(err);
}

/** True for errors that mean "could not reach or lost the server", as opposed to a refused statement. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(err.message);
  return code.startsWith('08') || code === '57P01' || ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN', 'EPIPE'].includes(code);
}
