/**
 * Migration bookkeeping both engines share: what a migration is, the table
 * that records each version applied, and the checks made before any runs.
 * How a migration is applied (SQLite: an IMMEDIATE transaction that
 * re-checks; PostgreSQL: under an advisory lock) stays with each engine.
 */
import { LivehookError } from '../../errors';

export interface Migration {
  /** 1, 2, 3, ... with no gaps. */
  version: number;
  /** What the migration changes, for the log and schema_migrations. */
  name: string;
  /** SQL statements, run inside the migration's transaction. */
  up: string;
}

export interface MigrationOutcome {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
  /** The schema version after migrating. */
  version: number;
}

/** The same table in both dialects (applied_at: ms since the epoch). */
export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at BIGINT  NOT NULL
)`;

export const RECORD_MIGRATION = 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)';

export const CURRENT_VERSION = 'SELECT MAX(version) AS version FROM schema_migrations';

/**
 * Throws when the list is not 1, 2, 3, ... (a programming error: fail
 * loudly at start), or when the database is newer than the list (`current`,
 * its version; `where` names it). Returns the newest version known.
 */
export function checkMigrations(migrations: readonly Migration[], current: number, where: string, details: Record<string, unknown>): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new LivehookError('STORE_SCHEMA', `migration "${m.name}" has version ${m.version}, expected ${i + 1} (versions must be 1, 2, 3, ... in order)`, {
        version: m.version,
      });
    }
  });
  const newest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  if (current > newest) {
    throw new LivehookError(
      'STORE_SCHEMA',
      `the database ${where} has schema version ${current}, newer than this livehook knows (${newest}); ` +
        'run a livehook at least as new as the one that last opened it',
      { ...details, version: current, known: newest },
    );
  }
  return newest;
}

/** A migration that failed: nothing of it was applied. */
export function migrationFailed(migration: Migration, where: string, problem: string, details: Record<string, unknown>, cause: unknown): LivehookError {
  return new LivehookError(
    'STORE_SCHEMA',
    `migration ${migration.version} (${migration.name}) failed on ${where}: ${problem}; nothing of it was applied`,
    { ...details, version: migration.version },
    { cause },
  );
}
