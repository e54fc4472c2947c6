/**
 * A full disk, told apart from other failures: it is not a bug and not a
 * reason to restart (a restart on a full disk fails the same way). The
 * service stays up, refuses what it cannot store (5xx: Tencent sends it
 * again), says "not ready" until there is room again, and a start on a full
 * disk says so in one line.
 */
import fs from 'node:fs';
import { LivehookError, describeError } from '../errors';

/** Error codes that mean "no room": the kernel's (ENOSPC, EDQUOT) and SQLite's (SQLITE_FULL). */
const NO_ROOM_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True when `err`, or an error it was caused by, says the disk (or quota) is full. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NO_ROOM_CODES.has(code)) return true;
    if (/\bSQLITE_FULL\b|database or disk is full|no space left on device/i.test(e.message)) return true;
  }
  return false;
}

/** Free bytes and free inodes for an unprivileged writer in `dir`, or null when the file system cannot say. */
export function freeSpace(dir: string): { bytes: number; inodes: number } | null {
  try {
    const s = fs.statfsSync(dir);
    return { bytes: s.bavail * s.bsize, inodes: s.ffree };
  } catch {
    return null;
  }
}

/** The one-line error of a start that found no room in the data dir. */
export function diskFullAtStart(dataDir: string, err: unknown): LivehookError {
  return new LivehookError(
    'DISK_FULL',
    `cannot start: no space left in the data dir ${dataDir} (${describeError(err)}); free some space there (or give LIVEHOOK_DATA_DIR a bigger disk) and start again`,
    { dataDir },
    { cause: err },
  );
}

/** "1.5 MiB", for messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
