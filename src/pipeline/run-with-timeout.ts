import { LivehookError } from '../errors';

/**
 * Runs one plugin call under a deadline. JavaScript cannot stop a running
 * function, so on time-out the handler's AbortSignal fires (well-behaved
 * plugins stop their I/O) and the delivery is counted as failed; a handler
 * that ignores the signal runs on in the background.
 */
export async function runWithTimeout<T>(plugin: string, timeoutMs: number, parent: AbortSignal, fn: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = fn(controller.signal);
    if (!(result instanceof Promise)) return result; // synchronous handlers need no timer
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new LivehookError('PLUGIN_TIMEOUT', `plugin "${plugin}" timed out after ${timeoutMs} ms`, { plugin });
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    return await Promise.race([result, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
  }
}
