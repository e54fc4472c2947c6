/**
 * The PostgreSQL engine, loaded when a store uses it: its driver takes about
 * 150 ms to load, which every start of a SQLite service (and every plugin
 * isolate) paid before.
 */
import type { PostgresStore } from './postgres-store';

export function loadPostgres(): typeof PostgresStore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./postgres-store') as typeof import('./postgres-store')).PostgresStore;
}
