/**
 * When a plugin's worker dies, every delivery it had started (read from its
 * board in shared memory) is a failed attempt: recorded as such, so it is
 * retried with backoff and then dead, as if the handler had thrown.
 */
import type { Logger } from 'pino';
import type { RetryPolicy } from '../config/service-config';
import { retryDelay } from '../pipeline/backoff';
import type { Store } from '../store/store';
import type { IsolateObservers } from './isolate-types';
import type { InFlight, IsolateBoard } from './shared-state';

export interface InFlightOwner {
  plugin: string;
  board: IsolateBoard;
  store: Store | null;
  policy: RetryPolicy;
  logger: Logger;
  observers: Pick<IsolateObservers, 'attempt'>;
}

/**
 * A crash this soon after a delivery returned, with none in progress, is
 * laid to that delivery: a handler that leaves a throwing setImmediate or an
 * unhandled rejection behind kills its isolate just after returning, and the
 * event, redelivered from the saved cursor, killed it again and again, with
 * no attempt ever counted (so never dead).
 */
export const CRASH_BLAME_MS = 1_000;

export async function failInFlight(owner: InFlightOwner, reason: string): Promise<void> {
  const { plugin, board, store, policy, logger, observers } = owner;
  const inFlight: Array<InFlight & { words?: string }> = board.inFlight();
  const returned = board.lastReturned();
  const sinceReturn = returned === null ? Infinity : Date.now() - returned.startedAt;
  if (inFlight.length === 0 && sinceReturn <= CRASH_BLAME_MS) {
    inFlight.push({ ...returned!, words: `${reason}, ${Math.round(sinceReturn)} ms after this delivery returned (work the handler left behind?)` });
  }
  board.clearSlots();
  if (!store) return;
  for (const delivery of inFlight) {
    const dead = delivery.attempt >= policy.maxAttempts;
    const nextAttemptAt = dead ? null : Date.now() + retryDelay(delivery.attempt, policy);
    const error = `plugin "${plugin}" failed in handle: ${delivery.words ?? reason}`;
    try {
      await store.recordFailure({ plugin, eventSeq: delivery.seq, attempts: delivery.attempt, nextAttemptAt, error });
      observers.attempt(plugin, dead ? 'dead' : 'retry', Date.now() - delivery.startedAt);
      const log = { hook: 'handle', seq: delivery.seq, attempt: delivery.attempt, error };
      if (dead) logger.error(log, `plugin failed ${delivery.attempt} times: delivery is dead (livehook replay re-runs it)`);
      else logger.warn({ ...log, retryAt: new Date(nextAttemptAt!).toISOString() }, 'plugin failed: delivery will be retried');
    } catch (err) {
      // The event is still after the plugin's cursor: the restarted isolate delivers it again.
      logger.error({ hook: 'handle', err, seq: delivery.seq }, `could not record the failed delivery of seq ${delivery.seq}; it will be delivered again`);
    }
  }
}
