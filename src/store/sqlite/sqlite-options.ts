/**
 * What a SQLite store is opened with, and the settings it reports back.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { LivehookError } from '../../errors';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreOptions {
  /** The database file, e.g. `<data dir>/livehook.db` (its folder is created if missing). */
  file: string;
  /** Default 'FULL' (see the top of ./sqlite-store.ts for what each protects against). */
  synchronous?: SqliteSynchronous;
  logger?: Logger;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Largest group commit of events; a full batch goes to the writer without waiting for the loop turn. Default 1000. */
  maxBatch?: number;
  /** Records per page in PluginRecords.scan. Default 5000. */
  recordsPageSize?: number;
  /** Told when the store can no longer write (its writer thread died): `livehook serve` exits so that its supervisor restarts it. */
  onFatal?: (reason: Error) => void;
  /**
   * After a write refused for lack of space (SQLITE_FULL, ENOSPC), ping()
   * fails until a write succeeds again or the disk has this much free.
   * Default 1 MiB (the default largest callback body).
   */
  minFreeBytes?: number;
  /**
   * A plugin isolate's store: writes go over this line (from the owning
   * store's attachPort()) to the writer thread the owner started; reads use a
   * connection of this thread's own. No migrations run: the owner ran them.
   */
  attach?: MessagePort;
}

/** What the connection actually runs with (read back from SQLite, for the start-up log and tests). */
export interface SqliteSettings {
  file: string;
  journalMode: string;
  synchronous: SqliteSynchronous | 'OFF' | 'EXTRA';
  foreignKeys: boolean;
  busyTimeoutMs: number;
  schemaVersion: number;
}

const SYNCHRONOUS_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

/** SQLite's number for a synchronous mode as its name. */
export function synchronousName(value: number): SqliteSettings['synchronous'] {
  return SYNCHRONOUS_NAMES[value] ?? 'FULL';
}

export function checkFile(file: unknown): string {
  if (typeof file !== 'string' || file.length === 0) {
    throw new LivehookError('CONFIG_INVALID', 'the SQLite store needs a file path (options.file)', { field: 'file' });
  }
  return file;
}

export function checkSynchronous(synchronous: unknown): SqliteSynchronous {
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new LivehookError('CONFIG_INVALID', `synchronous must be "FULL" or "NORMAL" (got ${JSON.stringify(synchronous)})`, {
      field: 'synchronous',
    });
  }
  return synchronous;
}
