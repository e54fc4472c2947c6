/**
 * A small tmpfs for disk-full tests: a real file system that really fills up
 * (ENOSPC from the kernel, SQLITE_FULL from SQLite), mounted where the test
 * says and unmounted after. Mounting needs root (or CAP_SYS_ADMIN): where it
 * is refused the test says so and skips; this is the only reason to skip.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './service';

export interface Tmpfs {
  dir: string;
  unmount(): void;
}

/** A tmpfs of `sizeBytes` mounted on a new temp folder, or the reason it could not be. */
export function mountTmpfs(sizeBytes: number, on?: string): Tmpfs | { cannot: string } {
  const dir = on ?? tempDir('livehook-tmpfs-');
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { cannot: `cannot mount a tmpfs on ${dir} (${stderr || (err as Error).message}); this test needs root or CAP_SYS_ADMIN` };
  }
  let mounted = true;
  return {
    dir,
    unmount: () => {
      if (!mounted) return;
      // Lazy: a file the service still holds open must not make the unmount fail.
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      mounted = false;
    },
  };
}

/** Writes a filler file in `dir` until the file system says ENOSPC; returns its path (delete it to free the space). */
export function fillUp(dir: string, name = 'filler'): string {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  try {
    for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          fs.writeSync(fd, chunk, 0, size);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Free bytes left on the file system of `dir`. */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * A tmpfs for a whole suite: mounted before it (the suite is skipped, saying
 * why, where mounting is refused) and unmounted after. `on` names the mount
 * point once the suite starts. After-hooks run in the order they are
 * registered: register the suite's own clean-up (stopping a service that has
 * files open there) before calling this.
 */
export function useTmpfs(sizeBytes: number, on?: () => string): { readonly dir: string } {
  let fsys: Tmpfs | null = null;
  before(function () {
    const mounted = mountTmpfs(sizeBytes, on?.());
    if ('cannot' in mounted) {
      console.warn(`      skipped: ${mounted.cannot}`);
      this.skip();
    }
    fsys = mounted as Tmpfs;
  });
  after(() => fsys?.unmount());
  return {
    get dir(): string {
      return fsys!.dir;
    },
  };
}
