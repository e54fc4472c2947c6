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
import type { IsolateBoard } from './shared-state';

export interface InFlightOwner {
  plugin: string;
  board: IsolateBoard;
  store: Store | null;
  policy: RetryPolicy;
  logger: Logger;
  observers: Pick<IsolateObservers, 'attempt'>;
}

export async function failInFlight(owner: InFlightOwner, reason: string): Promise<void> {
  const { plugin, board, store, policy, logger, observers } = owner;
  const inFlight = board.inFlight();
  board.clearSlots();
  if (!store) return;
  for (const delivery of inFlight) {
    const dead = delivery.attempt >= policy.maxAttempts;
    const nextAttemptAt = dead ? null : Date.now() + retryDelay(delivery.attempt, policy);
    const error = `plugin "${plugin}" failed in handle: ${reason}`;
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
