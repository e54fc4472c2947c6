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
import { CURRENT_VERSION, RECORD_MIGRATION, SCHEMA_MIGRATIONS_TABLE, checkMigrations, migrationFailed, type Migration, type MigrationOutcome } from '../core/migrations';
import type { PgSession } from './pg-session';

export type PgMigration = Migration;
export type PgMigrationOutcome = MigrationOutcome;

export interface MigrateContext {
  /** Names the database and schema in messages (no password). */
  where: string;
  /** Advisory lock key serialising migrations of this schema. */
  lockKey: string;
  describe(err: unknown): string;
  logger?: Logger;
}

export async function migratePg(client: PgSession, migrations: readonly PgMigration[], ctx: MigrateContext): Promise<PgMigrationOutcome> {
  await client.query('SELECT pg_advisory_lock($1::bigint)', [ctx.lockKey]);
  try {
    await client.query(SCHEMA_MIGRATIONS_TABLE);
    const current = await currentVersion(client);
    checkMigrations(migrations, current, ctx.where, { where: ctx.where });
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.up);
        await client.query(RECORD_MIGRATION, [migration.version, migration.name, Date.now()]);
        await client.query('COMMIT');
      } catch (err) {
        // No ROLLBACK: the session closes the connection on failure, which ends the transaction.
        throw migrationFailed(migration, ctx.where, ctx.describe(err), { where: ctx.where }, err);
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
  const { rows } = await client.query<{ version: number | null }>(CURRENT_VERSION);
  return rows[0]?.version ?? 0;
}
