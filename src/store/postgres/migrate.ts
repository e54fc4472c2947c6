/**
 * Versioned schema migrations for the PostgreSQL store.
 *
 * Several instances may start at the same moment against one database. The
 * whole run happens under a session advisory lock (one per schema), so one
 * instance migrates while the others wait, then find nothing left to do.
 * Each migration runs in its own transaction together with its row in
 * `schema_migrations`: it is applied entirely or not at all.
 */
import type { Logger } from 'pino';
import { LivehookError } from '../../errors';
import type { PgSession } from './pg-session';

export interface PgMigration {
  /** 1, 2, 3, ... with no gaps. */
  version: number;
  /** What the migration changes, for the log and schema_migrations. */
  name: string;
  /** SQL statements, run as one simple query inside the migration's transaction. */
  up: string;
}

export interface PgMigrationOutcome {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
  /** The schema version after migrating. */
  version: number;
}

export interface MigrateContext {
  /** Names the database and schema in messages (no password). */
  where: string;
  /** Advisory lock key serialising migrations of this schema. */
  lockKey: string;
  describe(err: unknown): string;
  logger?: Logger;
}

export async function migratePg(client: PgSession, migrations: readonly PgMigration[], ctx: MigrateContext): Promise<PgMigrationOutcome> {
  checkSequence(migrations);
  await client.query('SELECT pg_advisory_lock($1::bigint)', [ctx.lockKey]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at BIGINT  NOT NULL
    )`);
    const newest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
    const current = await currentVersion(client);
    if (current > newest) {
      throw new LivehookError(
        'STORE_SCHEMA',
        `the database ${ctx.where} has schema version ${current}, newer than this livehook knows (${newest}); ` +
          'run a livehook at least as new as the one that last opened it',
        { where: ctx.where, version: current, known: newest },
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.up);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        // No ROLLBACK: the session closes the connection on failure, which ends the transaction.
        throw new LivehookError(
          'STORE_SCHEMA',
          `migration ${migration.version} (${migration.name}) failed on ${ctx.where}: ${ctx.describe(err)}; nothing of it was applied`,
          { where: ctx.where, version: migration.version },
          { cause: err },
        );
      }
      applied.push(migration.version);
      ctx.logger?.info({ where: ctx.where, version: migration.version, migration: migration.name }, 'store schema migrated');
    }
    return { applied, version: await currentVersion(client) };
  } finally {
    // A failed unlock means the connection is gone, and the lock went with it.
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [ctx.lockKey]).catch(() => undefined);
  }
}

async function currentVersion(client: PgSession): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}

/** A programming error if the list is not 1, 2, 3, ...: fail loudly at start. */
function checkSequence(migrations: readonly PgMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new LivehookError('STORE_SCHEMA', `migration "${m.name}" has version ${m.version}, expected ${i + 1} (versions must be 1, 2, 3, ... in order)`, {
        version: m.version,
      });
    }
  });
}
