/**
 * Versioned schema migrations for the SQLite store.
 *
 * `schema_migrations` records each version applied. Each migration runs
 * once, in its own IMMEDIATE transaction that first re-checks whether it was
 * applied, so two processes opening the same file at once (the service and
 * the CLI) cannot both run it.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { LivehookError, describeError } from '../../errors';

export interface Migration {
  /** 1, 2, 3, ... with no gaps. */
  version: number;
  /** What the migration changes, for the log and schema_migrations. */
  name: string;
  /** SQL statements, run with exec() inside the migration's transaction. */
  up: string;
}

export interface MigrationOutcome {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
  /** The schema version after migrating. */
  version: number;
}

export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  file: string,
  logger?: Logger,
): MigrationOutcome {
  checkSequence(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);

  const newest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const current = currentVersion(db);
  if (current > newest) {
    throw new LivehookError(
      'STORE_SCHEMA',
      `the database ${file} has schema version ${current}, newer than this livehook knows (${newest}); ` +
        'run a livehook at least as new as the one that last opened it',
      { file, version: current, known: newest },
    );
  }

  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of migrations) {
    const apply = db.transaction((): boolean => {
      if (isApplied.get(migration.version) !== undefined) return false;
      db.exec(migration.up);
      record.run(migration.version, migration.name, Date.now());
      return true;
    });
    let ran: boolean;
    try {
      ran = apply.immediate();
    } catch (err) {
      throw new LivehookError(
        'STORE_SCHEMA',
        `migration ${migration.version} (${migration.name}) failed on ${file}: ${describeError(err)}; nothing of it was applied`,
        { file, version: migration.version },
        { cause: err },
      );
    }
    if (ran) {
      applied.push(migration.version);
      logger?.info({ file, version: migration.version, migration: migration.name }, 'store schema migrated');
    }
  }
  return { applied, version: currentVersion(db) };
}

function currentVersion(db: Database.Database): number {
  const v = db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get();
  return typeof v === 'number' ? v : 0;
}

/** A programming error if the list is not 1, 2, 3, ...: fail loudly at start. */
function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new LivehookError('STORE_SCHEMA', `migration "${m.name}" has version ${m.version}, expected ${i + 1} (versions must be 1, 2, 3, ... in order)`, {
        version: m.version,
      });
    }
  });
}
