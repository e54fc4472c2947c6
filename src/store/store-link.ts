/**
 * How a plugin isolate reaches the service's store without going through
 * the ingest thread: SQLite gives it a line of its own to the writer thread
 * (its writes join the same group commits) and it opens its own read
 * connection; PostgreSQL gives it the database to open a small pool on.
 */
import type { MessagePort, Transferable } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PgTimeouts } from './postgres/pg-timeouts';
import type { PostgresStore } from './postgres/postgres-store';
import { loadPostgres } from './postgres/load-postgres';
import { SqliteStore, type SqliteSynchronous } from './sqlite/sqlite-store';
import type { Store } from './store';

export type StoreLink =
  | { engine: 'sqlite'; file: string; synchronous: SqliteSynchronous; port: MessagePort }
  | { engine: 'postgres'; connectionString: string; timeouts: PgTimeouts };

/** Connections in an isolate's PostgreSQL pool: it reads its log, writes its cursor and records. */
const ISOLATE_POOL_SIZE = 3;

/** A new link to `store` for one isolate, and what must be transferred with it. */
export function linkTo(store: Store): { link: StoreLink; transfer: Transferable[] } {
  if (store instanceof SqliteStore) {
    const port = store.attachPort();
    return { link: { engine: 'sqlite', file: store.file, synchronous: store.synchronousMode, port }, transfer: [port] };
  }
  if (store.engine === 'postgres') return { link: { engine: 'postgres', ...(store as PostgresStore).linkOptions() }, transfer: [] };
  throw new Error(`a ${store.engine} store cannot be linked to an isolate`);
}

/** Opens the isolate's side of a link. */
export async function openLinkedStore(link: StoreLink, logger: Logger): Promise<Store> {
  const store =
    link.engine === 'sqlite'
      ? new SqliteStore({ file: link.file, synchronous: link.synchronous, logger, attach: link.port })
      : new (loadPostgres())({ connectionString: link.connectionString, timeouts: link.timeouts, logger, poolSize: ISOLATE_POOL_SIZE, attached: true });
  await store.open();
  return store;
}
