import type { PgMigration } from '../migrate';
import { initialSchema } from './001-initial';
import { textLiterals } from './002-text-literals';
import { decisions } from './003-decisions';

/**
 * Every schema version, oldest first. Append a new file for each change;
 * never edit one that has shipped (databases out there already ran it).
 * Keep the version numbers in step with the SQLite list where the change is
 * the same, so "schema version N" means the same thing on both engines.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [initialSchema, textLiterals, decisions];
