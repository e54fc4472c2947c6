/**
 * How a plugin's worker ends: asked (a stop with one deadline), or not (the
 * watchdog, when its event loop stopped turning; a crash), and why, in words.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { describeError } from '../errors';

/** The event loop may stall this much past the plugin's time-out (GC, a big batch, a busy machine) before the watchdog acts. */
const WATCHDOG_SLACK_MS = 1000;
/**
 * A stop asked with grace G: the isolate lets its deliveries run G - STOP_WRAP_UP_MS, then aborts
 * them, saves its cursor and closes its plugin and store; at G + STOP_SLACK_MS it is terminated,
 * whatever it is doing. So the service is gone within its shutdown grace plus a second.
 */
const STOP_WRAP_UP_MS = 300;
const STOP_SLACK_MS = 250;

/**
 * Why a worker whose heart has not beaten for `stalledMs` must go, or null while it may live.
 * While it boots (loading modules, opening its store, init) its loop may be busy as long as
 * it may take to start (the plugin's startTimeoutMs).
 */
export function stallVerdict(stalledMs: number, booting: boolean, timeoutMs: number, startTimeoutMs: number): string | null {
  const limit = booting ? startTimeoutMs : timeoutMs + Math.max(WATCHDOG_SLACK_MS, timeoutMs / 2);
  if (stalledMs <= limit) return null;
  return booting
    ? `its event loop was blocked for more than ${limit} ms while it started (init never returned?)`
    : `its event loop was blocked for more than ${limit} ms (past the time-out of ${timeoutMs} ms): a handler that never returns, such as a CPU loop`;
}

/** Asks the worker to stop within graceMs (`ask` sends the stop with the grace it has inside); terminates it past that. */
export async function stopWorker(worker: Worker, graceMs: number, ask: (innerGraceMs: number) => void, logger: Logger, plugin: string): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  ask(Math.max(0, graceMs - STOP_WRAP_UP_MS));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs + STOP_SLACK_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    logger.warn({ graceMs }, `plugin "${plugin}" did not stop within ${graceMs} ms: its isolate is terminated (its deliveries in progress run again at the next start)`);
    await worker.terminate();
  }
  clearTimeout(timer);
}

/** Words for why a worker ended: terminated by the watchdog, out of heap, crashed, or exited. */
export function exitReason(code: number, killedBecause: string | null, lastError: Error | null, settings: { heapMb: number; file: string }): string {
  if (killedBecause) return `was terminated: ${killedBecause}`;
  const err = lastError as (Error & { code?: string }) | null;
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') return `ran out of memory (heap limit ${settings.heapMb} MB, "heapMb" in ${settings.file})`;
  if (err) return `crashed: ${describeError(err)}`;
  return `exited with code ${code} (process.exit in the plugin?)`;
}
