/**
 * One service per SQLite data dir. Two `livehook serve` processes on one
 * SQLite file would both run every plugin (SQLite has no leases between
 * processes here), so the second one refuses to start and says who holds it.
 * A lock left by a killed process is taken over: its pid is gone, is our
 * own (a container restarted with the same pid), is a zombie, or belongs to
 * a process started after the lock was written. The CLI does not take the
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
  for (let attempt = 0; attempt < 4; attempt++) {
    if (createWithContent(file, me)) {
      // Looking again a moment later: should another starter have taken the lock over
      // meanwhile after all, the loser sees the winner's name and refuses.
      if (attempt > 0) sleepSync(CONFIRM_MS);
      const holder = readHolder(file);
      if (holder && sameHolder(holder, me)) return { release: () => releaseIfOurs(file) };
      if (holder) throw heldBy(holder, dataDir, file);
      continue;
    }
    const holder = readHolder(file);
    if (holder && isAlive(holder)) throw heldBy(holder, dataDir, file);
    takeAwayStale(file, holder);
  }
  throw new LivehookError('CONFIG_INVALID', `could not take the lock ${file}: another process keeps creating it`, { file });
}

const CONFIRM_MS = 100;

/**
 * Moves a lock judged stale out of the way. Removing it by name could remove
 * a fresh lock another starter made since this one looked (two starters on a
 * busy machine, both finding the dead one's lock): the file is moved aside
 * instead, which only one starter can do to a given file, and a lock that
 * turns out not to be the one judged is put back.
 */
function takeAwayStale(file: string, judged: Holder | null): void {
  const aside = `${file}.stale.${process.pid}.${Date.now()}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another starter moved it first
    throw err;
  }
  try {
    const moved = readHolder(aside);
    const same = judged === null ? moved === null : moved !== null && sameHolder(moved, judged);
    if (!same) {
      try {
        fs.linkSync(aside, file); // another starter's fresh lock: back where it was
      } catch {
        // a third lock took its place meanwhile: that one's holder is told apart when looked at next
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/**
 * Creates the lock file with its content in one step (written aside, then
 * linked into place): a reader never finds it empty, which it would take for
 * a lock left by a dead process. False when it exists.
 */
function createWithContent(file: string, me: Holder): boolean {
  const aside = `${file}.${process.pid}.${Date.now()}`;
  try {
    fs.writeFileSync(aside, JSON.stringify(me));
  } catch (err) {
    // On a full disk the file is created and its content refused: never leave that empty file behind.
    fs.rmSync(aside, { force: true });
    throw err;
  }
  try {
    fs.linkSync(aside, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function heldBy(holder: Holder, dataDir: string, file: string): LivehookError {
  // From another host nothing here can tell whether it still runs: a container
  // re-created on the same volume gets a new host name, and only the operator knows.
  const otherHost =
    holder.hostname === os.hostname() ? '' : `; if nothing runs on ${holder.hostname} any more (a container re-created on the same volume has a new host name), delete ${file} and start again`;
  return new LivehookError(
    'CONFIG_INVALID',
    `another livehook (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}) is serving the data dir ${dataDir}: stop it first, or give this one another LIVEHOOK_DATA_DIR (several instances share PostgreSQL, not a SQLite file)${otherHost}`,
    { file, holder },
  );
}

function sameHolder(a: Holder, b: Holder): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null; // unreadable (locks are written whole, so it is damaged): treat as stale
  }
}

function isAlive(holder: Holder): boolean {
  if (holder.hostname !== os.hostname()) return true; // a data dir on shared storage: cannot tell, so respect it
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isOtherOrDead(holder);
}

/**
 * What Linux's /proc says of a pid that signal 0 finds: a zombie (killed,
 * not yet reaped by its parent: a restart script that is not the parent
 * starts the next service before it is reaped) or a process started after
 * the lock was written (the pid was reused) is not the holder. Elsewhere,
 * or when /proc cannot be read, the pid is taken at its word.
 */
function isOtherOrDead(holder: Holder): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return true;
    const bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    const startedAt = (bootSeconds + Number(fields[19]) / CLOCK_TICKS_PER_SECOND) * 1000;
    // The lock is written after its process starts; a second of slack for the clocks' rounding.
    return Number.isFinite(startedAt) && startedAt > Date.parse(holder.startedAt) + 1000;
  } catch {
    return false;
  }
}

/** USER_HZ, the unit of /proc/<pid>/stat's start time: 100 on every Linux Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function releaseIfOurs(file: string): void {
  const holder = readHolder(file);
  if (holder && holder.pid === process.pid && holder.hostname === os.hostname()) fs.rmSync(file, { force: true });
}
