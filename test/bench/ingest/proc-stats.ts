/**
 * What a server process spends, read from Linux's /proc: CPU of all its
 * threads, CPU of its main thread (the one that answers HTTP: livehook's
 * ingest thread), bytes it caused to be written to disk, and its resident
 * memory. NaN where /proc is missing.
 */
import fs from 'node:fs';

export interface ProcSample {
  /** user + system CPU seconds, all threads */
  cpu: number;
  /** user + system CPU seconds of the main thread */
  mainCpu: number;
  /** bytes written to storage (write_bytes) */
  diskBytes: number;
}

function ticks(statFile: string): number {
  try {
    const fields = fs.readFileSync(statFile, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

export function sample(pid: number): ProcSample {
  let diskBytes = Number.NaN;
  try {
    diskBytes = Number(/write_bytes: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
  } catch {
    // not Linux, or not allowed
  }
  return { cpu: ticks(`/proc/${pid}/stat`), mainCpu: ticks(`/proc/${pid}/task/${pid}/stat`), diskBytes };
}

export function rss(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  } catch {
    return Number.NaN;
  }
}
