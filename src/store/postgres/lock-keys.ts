/**
 * Advisory lock keys. Advisory locks are shared by the whole database, so
 * each key is derived from the schema the store lives in: two deployments
 * (or two test runs) in separate schemas of one database never wait for
 * each other, while every instance of one deployment uses the same keys.
 */
import crypto from 'node:crypto';

export interface LockKeys {
  /** Held (session) while migrating. */
  migrate: string;
  /** Held (transaction) by each append batch: commits in seq order. */
  append: string;
}

export function lockKeysFor(schema: string): LockKeys {
  return { migrate: key(`livehook:migrate:${schema}`), append: key(`livehook:append:${schema}`) };
}

/** A signed 64-bit key (pg_advisory_lock(bigint)) as a decimal string. */
function key(name: string): string {
  const digest = crypto.createHash('sha256').update(name).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
}
