/**
 * Picks and opens the store engine: SQLite in the data dir by default,
 * PostgreSQL when DATABASE_URL is set.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { PgTimeouts } from './postgres/pg-timeouts';
import { loadPostgres } from './postgres/load-postgres';
import { SqliteStore, type SqliteSynchronous } from './sqlite/sqlite-store';
import type { Store } from './store';

export const SQLITE_FILE_NAME = 'livehook.db';

export interface OpenStoreOptions {
  /** LIVEHOOK_DATA_DIR: the SQLite file lives here as livehook.db. */
  dataDir: string;
  /** DATABASE_URL: when set (postgres://...), PostgreSQL is used instead of SQLite. */
  databaseUrl?: string | null;
  /** SQLite only; default 'FULL' (see src/store/sqlite/sqlite-store.ts). */
  synchronous?: SqliteSynchronous;
  /** PostgreSQL only: config `store.postgres` (see src/store/postgres/pg-timeouts.ts); unset ones take their default. */
  postgres?: Partial<PgTimeouts>;
  logger?: Logger;
  /** SQLite only: the store can no longer write (see SqliteStoreOptions.onFatal). */
  onFatal?: (reason: Error) => void;
  /** SQLite only: free space that makes a store that ran out of room ready again (see SqliteStoreOptions.minFreeBytes). */
  minFreeBytes?: number;
}

/** Returns an opened store (migrations applied). Close it with store.close(). */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store = createStore(options);
  await store.open();
  return store;
}

function createStore(options: OpenStoreOptions): Store {
  if (options.databaseUrl) {
    return new (loadPostgres())({ connectionString: options.databaseUrl, timeouts: options.postgres, logger: options.logger });
  }
  return new SqliteStore({
    file: path.join(options.dataDir, SQLITE_FILE_NAME),
    synchronous: options.synchronous,
    logger: options.logger,
    onFatal: options.onFatal,
    minFreeBytes: options.minFreeBytes,
  });
}
