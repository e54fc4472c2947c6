import { LivehookError } from '../../errors';

/**
 * The cancellation of one plugin call. Its AbortSignal is made only when the
 * handler reads it: most handlers never do, and an AbortController per
 * delivery was a measurable share of the event loop under load.
 */
export class CallCancellation {
  private controller: AbortController | null = null;
  private reason: unknown;
  private aborted = false;

  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * Runs one plugin call under a deadline. JavaScript cannot stop a running
 * function, so on time-out the call's signal fires (well-behaved plugins
 * stop their I/O) and the delivery is counted as failed; a handler that
 * ignores the signal runs on in the background.
 */
export async function runWithTimeout<T>(plugin: string, timeoutMs: number, call: CallCancellation, fn: () => T | Promise<T>): Promise<T> {
  const result = fn();
  if (!(result instanceof Promise)) return result; // synchronous handlers need no timer
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new LivehookError('PLUGIN_TIMEOUT', `plugin "${plugin}" timed out after ${timeoutMs} ms`, { plugin });
      call.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
