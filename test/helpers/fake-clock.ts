/**
 * A clock the test moves by hand, for code that waits on cron ticks or on
 * windows of seconds: the real code runs unchanged, only time is fake, so a
 * test no longer sleeps through real seconds (and is not flaky when a busy
 * machine makes those seconds late).
 *
 * Node's own MockTimers (node:test), no extra package. It replaces this
 * thread's setTimeout/setInterval (and Date, when asked) only: plugins in
 * their isolates (worker threads) and child processes keep real time, so use
 * it where the code under test runs in the test's thread. I/O (the SQLite
 * writer thread, sockets) still takes real time: after `tick`, wait for its
 * effect with `waitFor` (test/helpers/service.ts), which keeps real time.
 */
import { mock } from 'node:test';

export interface FakeClock {
  /** Moves the clock by `ms`, running every timer due on the way. */
  tick(ms: number): void;
  /** Real timers and Date again (call in afterEach; idempotent). */
  restore(): void;
}

/** From now on this thread's timers (and Date, with `date: true`, starting at `now`) move only by tick(). */
export function fakeClock(options: { date?: boolean; now?: number } = {}): FakeClock {
  const apis: Array<'setTimeout' | 'setInterval' | 'Date'> = ['setTimeout', 'setInterval'];
  if (options.date) apis.push('Date');
  withoutExperimentalNotice(() => mock.timers.enable({ apis, now: options.now ?? Date.now() }));
  let on = true;
  return {
    tick: (ms) => mock.timers.tick(ms),
    restore: () => {
      if (on) mock.timers.reset();
      on = false;
    },
  };
}

/** MockTimers is "experimental" in Node 20 and says so on stderr once per process: not news to a test run. */
function withoutExperimentalNotice(fn: () => void): void {
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (String(warning).includes('MockTimers')) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    fn();
  } finally {
    process.emitWarning = emit;
  }
}
