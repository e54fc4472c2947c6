/**
 * One delivery attempt of an event to a plugin's handler, under its time-out,
 * written on the isolate's board while it runs; a failure is recorded (a
 * retry row with its due time, or dead) before the loop's cursor passes it.
 */
import type { Logger } from 'pino';
import { PermanentError, describeError } from '../../errors';
import { retryDelay } from '../../pipeline/backoff';
import type { Store, StoredEvent } from '../../store/store';
import type { IsolateBoard } from '../shared-state';
import type { DeliveryPlugin } from './delivery-loop';
import { plainFailure } from './plain-failure';
import { CallCancellation, runWithTimeout } from './run-with-timeout';

export interface AttemptContext {
  plugin: DeliveryPlugin;
  store: Store;
  board: IsolateBoard;
  logger: Logger;
  /** Calls in progress, aborted together at shutdown. */
  calls: Set<CallCancellation>;
  /** Set once the loop is stopping: attempts cut short then are not the plugin's failure. */
  stopReason(): Error | null;
  onAttempt?: (outcome: 'done' | 'retry' | 'dead', durationMs: number) => void;
}

/**
 * One attempt. Resolves true once the outcome is written to the store (or
 * needed no writing), false when it was cut short by shutdown: then nothing
 * is recorded, the cursor must not pass the event, and the next start
 * delivers it again. Being stopped is not the plugin's failure.
 */
export async function attemptDelivery(ctx: AttemptContext, stored: StoredEvent, attempt: number, hasRow: boolean): Promise<boolean> {
  const { event, seq } = stored;
  const started = performance.now();
  const slot = ctx.board.claim(seq, attempt, Date.now());
  const call = new CallCancellation();
  if (ctx.stopReason()) call.abort(ctx.stopReason());
  ctx.calls.add(call);
  let succeeded = false;
  try {
    try {
      // The time-out is the handler's: a process-isolated plugin's child that is being replaced is waited for
      // first. (Only that kind has untilReady: a thread plugin's delivery takes no extra turn for it.)
      const ready = ctx.plugin.instance.untilReady?.();
      if (ready) await ready;
      await runWithTimeout(ctx.plugin.name, ctx.plugin.timeoutMs, call, () =>
        ctx.plugin.instance.handle(event, {
          idempotencyKey: event.id,
          attempt,
          seq,
          get signal() {
            return call.signal;
          },
        }),
      );
      succeeded = true;
      ctx.board.returned(seq, attempt, Date.now());
      ctx.onAttempt?.('done', performance.now() - started);
    } catch (thrown) {
      const err = plainFailure(thrown);
      if (ctx.stopReason()) {
        ctx.logger.info({ eventId: event.id, seq, attempt, err }, 'delivery cut short by shutdown: it runs again at the next start');
        return false;
      }
      await recordFailure(ctx, stored, attempt, err, performance.now() - started);
    } finally {
      ctx.calls.delete(call);
    }
    // After the handler's try: a store failure here is not the plugin's failure
    // (the row stays, and the retry delivers once more: at least once).
    if (succeeded && hasRow) await ctx.store.markDelivered(ctx.plugin.name, seq);
    return true;
  } finally {
    ctx.board.release(slot);
  }
}

async function recordFailure(ctx: AttemptContext, stored: StoredEvent, attempt: number, err: Error, durationMs: number): Promise<void> {
  const { event, seq } = stored;
  const permanent = err instanceof PermanentError;
  const dead = permanent || attempt >= ctx.plugin.retry.maxAttempts;
  const nextAttemptAt = dead ? null : Date.now() + retryDelay(attempt, ctx.plugin.retry);
  const log = { hook: 'handle', eventId: event.id, seq, command: event.command, roomId: event.roomId, attempt, err };
  if (dead) ctx.logger.error(log, permanent ? 'plugin failed permanently: delivery is dead' : `plugin failed ${attempt} times: delivery is dead (livehook replay re-runs it)`);
  else ctx.logger.warn({ ...log, retryAt: new Date(nextAttemptAt!).toISOString() }, 'plugin failed: delivery will be retried');
  await ctx.store.recordFailure({ plugin: ctx.plugin.name, eventSeq: seq, attempts: attempt, nextAttemptAt, error: describeError(err) });
  ctx.onAttempt?.(dead ? 'dead' : 'retry', durationMs);
}
