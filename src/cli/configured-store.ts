/** The store a command reads and writes: the service's own, as its configuration names it. */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';

/** SQLite in the data dir, or PostgreSQL when DATABASE_URL is set, with the service's settings. */
export function openConfiguredStore(config: LoadedConfig, logger: Logger): Promise<Store> {
  const { dataDir, store } = config.service;
  return openStore({ dataDir, databaseUrl: store.databaseUrl, synchronous: store.synchronous, postgres: store.postgres, logger });
}
