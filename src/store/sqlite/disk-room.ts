/**
 * Whether the SQLite store has room to write. After a write refused for lack
 * of space (SQLITE_FULL, ENOSPC) the store is not ready (/readyz 503) until a
 * write succeeds again, or until the file system has `minFreeBytes` free: a
 * probe that takes the service out of rotation also stops the callbacks that
 * would show a write succeeding.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { LivehookError } from '../../errors';
import { freeSpace, formatBytes, isDiskFull } from '../disk-full';
import type { WriteFailure } from './write-queue';

export class DiskRoom {
  /** The last commit failed for lack of space, and none has succeeded since. */
  private noRoom: WriteFailure | null = null;

  constructor(
    private readonly file: string,
    private readonly minFreeBytes: number,
    private readonly logger: Logger | undefined,
  ) {}

  /** How a commit went: null when something of it was written. */
  readonly follow = (failure: WriteFailure | null): void => {
    if (failure === null) {
      if (this.noRoom) this.logger?.info({ file: this.file }, 'the SQLite store writes again');
      this.noRoom = null;
    } else if (isDiskFull(failure)) {
      if (!this.noRoom) this.logger?.error({ file: this.file, err: failure }, `the disk of ${path.dirname(this.file)} is full: callbacks are refused (5xx) and /readyz says not ready until there is room again`);
      this.noRoom = failure;
    }
  };

  /** Throws STORE_FAILED while there is no room. */
  check(): void {
    if (!this.noRoom) return;
    const dir = path.dirname(this.file);
    const room = freeSpace(dir);
    if (room && room.bytes >= this.minFreeBytes && room.inodes > 0) return;
    const free = room ? `${formatBytes(room.bytes)} free` : 'free space unknown';
    throw new LivehookError('STORE_FAILED', `the SQLite store ${this.file} cannot write: ${this.noRoom.message} (${free} in ${dir}; ready again once ${formatBytes(this.minFreeBytes)} are free)`, { file: this.file });
  }
}
