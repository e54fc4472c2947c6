/**
 * Versioned schema migrations for the SQLite store (bookkeeping shared with
 * PostgreSQL: ../core/migrations.ts).
 *
 * Each migration runs once, in its own IMMEDIATE transaction that first
 * re-checks whether it was applied, so two processes opening the same file
 * at once (the service and the CLI) cannot both run it.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { describeError } from '../../errors';
import { CURRENT_VERSION, RECORD_MIGRATION, SCHEMA_MIGRATIONS_TABLE, checkMigrations, migrationFailed, type Migration, type MigrationOutcome } from '../core/migrations';

export type { Migration, MigrationOutcome } from '../core/migrations';

export function migrate(db: Database.Database, migrations: readonly Migration[], file: string, logger?: Logger): MigrationOutcome {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  checkMigrations(migrations, currentVersion(db), file, { file });
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare(RECORD_MIGRATION);
  const applied: number[] = [];
  for (const migration of migrations) {
    const apply = db.transaction((): boolean => {
      if (isApplied.get(migration.version) !== undefined) return false;
      db.exec(migration.up);
      record.run({ 1: migration.version, 2: migration.name, 3: Date.now() });
      return true;
    });
    let ran: boolean;
    try {
      ran = apply.immediate();
    } catch (err) {
      throw migrationFailed(migration, file, describeError(err), { file }, err);
    }
    if (ran) {
      applied.push(migration.version);
      logger?.info({ file, version: migration.version, migration: migration.name }, 'store schema migrated');
    }
  }
  return { applied, version: currentVersion(db) };
}

/** The schema version of the file (0 before any migration). */
export function currentVersion(db: Database.Database): number {
  const v = (db.prepare(CURRENT_VERSION).get() as { version: number | null } | undefined)?.version;
  return typeof v === 'number' ? v : 0;
}
