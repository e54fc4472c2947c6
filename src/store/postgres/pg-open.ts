/**
 * Opening the PostgreSQL store: a pool with every time-out set, the schema
 * the tables go to (the first existing one on the search_path), migrations
 * under the schema's advisory lock, and the server's synchronous_commit
 * (read so that the store can warn when an OK would not mean "on disk").
 */
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { LivehookError, isLivehookError } from '../../errors';
import { type LockKeys, lockKeysFor } from './lock-keys';
import { migratePg } from './migrate';
import { PG_MIGRATIONS } from './migrations';
import { type PgSession, withSession } from './pg-session';
import { describePgError, type PgTarget } from './pg-target';
import { CLIENT_GRACE_MS, MIGRATION_TIMEOUT_MS, type PgTimeouts } from './pg-timeouts';

export interface PgOpening {
  connectionString: string;
  target: PgTarget;
  poolSize: number;
  timeouts: PgTimeouts;
  logger: Logger | undefined;
}

export interface OpenedPg {
  pool: Pool;
  schema: string;
  schemaVersion: number;
  lockKeys: LockKeys;
  /** The server's synchronous_commit for our connections. */
  synchronousCommit: string;
}

/** "PostgreSQL user@host:port/db (schema s)" for messages. */
export function pgWhere(target: PgTarget, schema: string): string {
  return `PostgreSQL ${target.description}${schema ? ` (schema ${schema})` : ''}`;
}

export async function openPg(o: PgOpening): Promise<OpenedPg> {
  const { connectTimeoutMs, statementTimeoutMs, idleInTransactionTimeoutMs } = o.timeouts;
  const describe = (err: unknown) => describePgError(err, o.target.secret);
  // Parameters in DATABASE_URL (?statement_timeout=..., ?application_name=...) win over these.
  const pool = new Pool({
    connectionString: o.connectionString,
    max: o.poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_GRACE_MS,
    application_name: 'livehook',
  });
  // An idle connection that dies (server restart, network) is dropped by the
  // pool and replaced on next use; without a listener it would crash the process.
  // Checked-out connections are guarded by withSession and pool.query.
  pool.on('error', (err) => o.logger?.warn({ target: o.target.description, err: describe(err) }, 'an idle PostgreSQL connection failed; it will be replaced'));
  let schema = '';
  try {
    return await withSession(
      pool,
      { queryTimeoutMs: MIGRATION_TIMEOUT_MS },
      async (session) => {
        // Migrations take what they take (see MIGRATION_TIMEOUT_MS); this connection is closed after.
        await session.query('SET statement_timeout = 0');
        schema = await currentSchema(session, o.target);
        const lockKeys = lockKeysFor(schema);
        const context = { where: pgWhere(o.target, schema), lockKey: lockKeys.migrate, describe, logger: o.logger };
        const { version } = await migratePg(session, PG_MIGRATIONS, context);
        const synchronousCommit = (await session.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? 'unknown';
        return { pool, schema, schemaVersion: version, lockKeys, synchronousCommit };
      },
      { discard: true },
    );
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (isLivehookError(err)) throw err;
    throw new LivehookError('STORE_FAILED', `cannot open the store in ${pgWhere(o.target, schema)}: ${describe(err)}`, { target: o.target.description }, { cause: err });
  }
}

/** The OK livehook sends means "on disk" only if the server waits for its WAL flush: say so when it does not. */
export function warnUnlessDurable(opened: OpenedPg, target: PgTarget, logger: Logger | undefined): void {
  if (opened.synchronousCommit !== 'off') return;
  logger?.warn(
    { target: target.description, synchronousCommit: opened.synchronousCommit },
    'PostgreSQL runs with synchronous_commit = off: a callback answered OK can be lost if the database server crashes; set it to on (ALTER ROLE ... SET synchronous_commit = on) for livehook',
  );
}

/** The schema tables go to: the first existing one on the search_path. */
async function currentSchema(client: PgSession, target: PgTarget): Promise<string> {
  const { rows } = await client.query<{ schema: string | null; search_path: string }>(
    "SELECT current_schema() AS schema, current_setting('search_path') AS search_path",
  );
  const row = rows[0]!;
  if (row.schema === null) {
    throw new LivehookError(
      'STORE_SCHEMA',
      `no schema of the search_path (${row.search_path}) exists in ${target.description}; ` +
        'create it (CREATE SCHEMA ...) or name an existing one in DATABASE_URL (?options=-c%20search_path%3D<schema>)',
      { target: target.description, searchPath: row.search_path },
    );
  }
  return row.schema;
}
