/**
 * One service per SQLite data dir. Two `livehook serve` processes on one
 * SQLite file would both run every plugin (SQLite has no leases between
 * processes here), so the second one refuses to start and says who holds it.
 * A lock left by a killed process is taken over: its pid is gone, or is our
 * own (a container restarted with the same pid). The CLI does not take the
 * lock: `livehook report` and `replay` are meant to run beside the service.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LivehookError } from '../errors';

export const LOCK_FILE = 'livehook.lock';

export interface DataDirLock {
  release(): void;
}

interface Holder {
  pid: number;
  hostname: string;
  startedAt: string;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  const me: Holder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return { release: () => releaseIfOurs(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && isAlive(holder)) {
      throw new LivehookError(
        'CONFIG_INVALID',
        `another livehook (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}) is serving the data dir ${dataDir}: stop it first, or give this one another LIVEHOOK_DATA_DIR (several instances share PostgreSQL, not a SQLite file)`,
        { file, holder },
      );
    }
    fs.rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new LivehookError('CONFIG_INVALID', `could not take the lock ${file}: another process keeps creating it`, { file });
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null; // unreadable or half-written: treat as stale
  }
}

function isAlive(holder: Holder): boolean {
  if (holder.hostname !== os.hostname()) return true; // a data dir on shared storage: cannot tell, so respect it
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(file: string): void {
  const holder = readHolder(file);
  if (holder && holder.pid === process.pid && holder.hostname === os.hostname()) fs.rmSync(file, { force: true });
}
