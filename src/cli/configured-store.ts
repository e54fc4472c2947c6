/** The store a command reads and writes: the service's own, as its configuration names it. */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config';
import { LivehookError } from '../errors';
import { createLogger } from '../log/logger';
import { SQLITE_FILE_NAME, openStore } from '../store/open-store';
import type { Store } from '../store/store';
import type { CliIo } from './io';

/** SQLite in the data dir, or PostgreSQL when DATABASE_URL is set, with the service's settings. */
export function openConfiguredStore(config: LoadedConfig, logger: Logger): Promise<Store> {
  const { dataDir, store } = config.service;
  return openStore({ dataDir, databaseUrl: store.databaseUrl, synchronous: store.synchronous, postgres: store.postgres, logger });
}

/**
 * The SQLite file when the store is SQLite and nothing created it yet (no
 * service ran with this data dir; the file is absent or empty), else null.
 * A command must not create one, and its data dir, where the operator's
 * shell lacks the service's LIVEHOOK_DATA_DIR.
 */
export function missingSqliteFile(config: LoadedConfig): string | null {
  if (config.service.store.databaseUrl) return null;
  const file = path.join(config.service.dataDir, SQLITE_FILE_NAME);
  // An empty file is no store either (SQLite writes its header when it creates the tables).
  return fs.existsSync(file) && fs.statSync(file).size > 0 ? null : file;
}

/** Throws where no service has run with this data dir (see missingSqliteFile). */
export function refuseMissingStore(config: LoadedConfig): void {
  const missing = missingSqliteFile(config);
  if (missing) throw new LivehookError('NOT_FOUND', `no store at ${missing}: no service has run with this data dir; give the service's LIVEHOOK_DATA_DIR (or DATABASE_URL)`);
}

/**
 * Runs `use` on the store a service filled, closed afterwards. No store there
 * is refused, not created: it is the operator's mistake (another shell's
 * environment), which an empty answer ("0 requeued") would hide.
 */
export async function withServiceStore<T>(config: LoadedConfig, io: CliIo, use: (store: Store) => Promise<T>): Promise<T> {
  refuseMissingStore(config);
  const store = await openConfiguredStore(config, createLogger('warn', io.stderr));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
