/**
 * Where a DATABASE_URL points, said without its password, and driver errors
 * turned into one line a person can act on.
 *
 * Every message the PostgreSQL store produces names the database this way
 * ("postgres@db.internal:5432/livehook"), never the URL itself: URLs carry
 * passwords, and messages end up in logs and HTTP answers.
 */
import { LivehookError, isLivehookError } from '../../errors';

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

/**
 * Why the database cannot serve us now, when the error says it is a passing
 * condition rather than a refused statement: it is down, restarting or
 * failing over, the network is cut, or it did not answer in time. Callers
 * are then told to retry later (503). Null for any other error.
 */
export function unavailability(err: unknown): 'unreachable' | 'too slow' | null {
  if (err instanceof AggregateError) {
    const inner = err.errors.map(unavailability);
    return inner.find((x) => x === 'unreachable') ?? inner.find((x) => x !== null) ?? null;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (TIMEOUT_CODES.has(code)) return 'too slow';
    if (code.startsWith('08') || UNREACHABLE_CODES.has(code)) return 'unreachable';
  }
  if (!(err instanceof Error)) return null;
  if (/Query read timeout|timeout exceeded when trying to connect|due to connection timeout/i.test(err.message)) return 'too slow';
  if (/Connection terminated|not queryable/i.test(err.message)) return 'unreachable';
  return null;
}

/**
 * A driver error as the store's error: STORE_UNAVAILABLE (503, retry later)
 * while the database cannot be reached or does not answer in time, else
 * STORE_FAILED; either says what was being done (`action`) and where.
 */
export function pgFailure(action: string, err: unknown, target: PgTarget, where: string): LivehookError {
  if (isLivehookError(err)) return err;
  const what = `could not ${action} in ${where}: ${describePgError(err, target.secret)}`;
  const unavailable = unavailability(err);
  if (unavailable) {
    const state = unavailable === 'too slow' ? 'did not answer in time' : 'is unreachable';
    return new LivehookError('STORE_UNAVAILABLE', `the database ${state} (${what}); retry later`, { target: target.description }, { cause: err });
  }
  return new LivehookError('STORE_FAILED', what, { target: target.description }, { cause: err });
}

const TIMEOUT_CODES = new Set([
  '57014', // query_canceled: our statement_timeout
  '25P03', // idle_in_transaction_session_timeout
  'ETIMEDOUT',
]);

const UNREACHABLE_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, a restart
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, in recovery
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);
