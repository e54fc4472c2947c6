/**
 * Opens a connection to the store's file as every connection of the SQLite
 * store runs: WAL (readers never wait for the writer), the chosen
 * synchronous mode, foreign keys on, and a busy time-out for another
 * process's lock. The writer thread and the readers open theirs here.
 */
import Database from 'better-sqlite3';

export interface ConnectionConfig {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
}

export function openConnection(config: ConnectionConfig): Database.Database {
  const db = new Database(config.file, { timeout: config.busyTimeoutMs });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new Error(`the file system refused WAL mode (journal_mode stayed ${String(mode)})`);
    }
    db.pragma(`synchronous = ${config.synchronous}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
