/**
 * One plugin's consumer of the event log.
 *
 * It reads events after its cursor, hands those the plugin subscribes to to
 * the handler one at a time (in log order, under the plugin's timeout), and
 * moves the cursor on. A failure gets a delivery row (retrying with backoff,
 * or dead) before the cursor passes the event, so nothing is skipped; a
 * crash before the cursor is saved means the handler sees the event again
 * (at least once; the idempotency key makes effects exactly once).
 *
 * With several instances on one database, a worker only runs while it holds
 * the plugin's lease, so each event reaches a plugin on one instance.
 */
import type { Logger } from 'pino';
import type { CallbackEvent } from '../callbacks/event';
import { PermanentError, describeError } from '../errors';
import type { Store, StoredEvent } from '../store/store';
import { retryDelay } from './backoff';
import type { EventFeed } from './event-feed';
import type { ActivePlugin } from './plugin-host';
import { CallCancellation, runWithTimeout } from './run-with-timeout';

export interface WorkerOptions {
  batchSize: number;
  instanceId: string;
  /**
   * Take a lease per plugin before delivering: needed when several instances
   * share one database (PostgreSQL). With SQLite there is one service per data
   * dir, and a lease left by a killed process would only delay the restart.
   */
  useLeases: boolean;
  leaseMs: number;
  /** How long a cursor may stay in memory only (redelivery window after a crash). */
  cursorFlushMs: number;
  /** Called after each delivery attempt (metrics). */
  onAttempt?: (plugin: string, outcome: 'done' | 'retry' | 'dead', durationMs: number) => void;
}

export class PluginWorker {
  /** Highest seq finished (in memory; saved at most cursorFlushMs later). */
  cursor = 0;
  private savedCursor = 0;
  private lastCursorSave = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private leaseUntil = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /**
   * Events after the cursor that already had a delivery row at start: a crash
   * came between the row and the cursor save. Their row's retry delivers them
   * (with its attempt count, or not at all when dead), not the main path.
   */
  private readonly owned = new Set<number>();
  /** Calls in progress, cancelled when stop() runs out of grace. */
  private readonly calls = new Set<CallCancellation>();
  private stopReason: Error | null = null;

  constructor(
    readonly plugin: ActivePlugin,
    private readonly store: Store,
    private readonly feed: EventFeed,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
  ) {}

  /** Load or create the cursor. A plugin seen for the first time starts at the end of the log. */
  async start(logEnd: number): Promise<void> {
    const saved = await this.store.getCursor(this.plugin.name);
    if (saved === null) {
      await this.store.setCursor(this.plugin.name, logEnd);
      this.cursor = logEnd;
    } else {
      this.cursor = saved;
    }
    this.savedCursor = this.cursor;
    for (const row of await this.store.listDeliveries({ plugin: this.plugin.name })) if (row.eventSeq > this.cursor) this.owned.add(row.eventSeq);
    const pollMs = Math.min(1000, Math.max(25, Math.floor(this.plugin.retry.baseMs / 2)));
    this.retryTimer = setInterval(() => this.kick(), pollMs);
    this.kick();
  }

  /** Something may be waiting: run a pass now, or right after the current one. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  isBusy(): boolean {
    return this.running !== null || this.again;
  }

  /** Stop taking work; wait up to graceMs for the delivery in progress, then abort it. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.running, deadline]);
      clearTimeout(timer);
      this.stopReason = new Error('livehook is shutting down');
      for (const call of this.calls) call.abort(this.stopReason);
      // Handlers that heed the signal end now; give the pass a moment to record them
      // before the cursor is saved and the lease released (not the whole grace again).
      await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, Math.min(1000, graceMs)).unref())]);
    }
    await this.saveCursor(true).catch((err) => this.logger.error({ plugin: this.plugin.name, err }, 'could not save the cursor at shutdown'));
    if (this.options.useLeases) await this.store.releaseLease(this.leaseName(), this.options.instanceId).catch(() => undefined);
  }

  private leaseName(): string {
    return `plugin:${this.plugin.name}`;
  }

  private async holdLease(): Promise<boolean> {
    if (!this.options.useLeases) return true;
    const now = Date.now();
    // Renew well before expiry, not on every pass: a lease write costs a commit.
    if (now < this.leaseUntil - (this.options.leaseMs * 2) / 3) return true;
    const held = await this.store.acquireLease(this.leaseName(), this.options.instanceId, this.options.leaseMs);
    this.leaseUntil = held ? now + this.options.leaseMs : 0;
    // Another instance may have moved the cursor while we did not hold the lease
    // (and when we do not hold it, our backlog figure should follow the holder's).
    const saved = await this.store.getCursor(this.plugin.name);
    if (saved !== null && saved > this.cursor) this.cursor = this.savedCursor = saved;
    return held;
  }

  /** Stop taking new deliveries: shutting down, or the lease went to another instance. */
  private mustStop(): boolean {
    return this.stopped || (this.options.useLeases && Date.now() >= this.leaseUntil);
  }

  private async pass(): Promise<void> {
    let renewal: NodeJS.Timeout | undefined;
    try {
      if (!(await this.holdLease())) return;
      if (this.options.useLeases) {
        // A pass can outlast the lease (a slow plugin, a long backlog): keep renewing
        // while it runs, so another instance never takes over work still in progress.
        renewal = setInterval(() => {
          // The clock before asking: the database dates the lease when it runs the statement,
          // which may be a while before the answer arrives (a busy pool).
          const asked = Date.now();
          this.store
            .acquireLease(this.leaseName(), this.options.instanceId, this.options.leaseMs)
            .then((held) => {
              this.leaseUntil = held ? asked + this.options.leaseMs : 0;
            })
            .catch(() => undefined); // an unreachable store: the lease runs out and the pass stops
        }, Math.max(100, Math.floor(this.options.leaseMs / 3)));
      }
      await this.runDueRetries();
      for (;;) {
        if (this.mustStop()) break;
        const batch = await this.feed.read(this.cursor, this.options.batchSize);
        if (batch.length === 0) break;
        if (this.plugin.concurrency > 1) {
          // Events are independent for this plugin: overlap them, then pass them all.
          await this.inParallel(batch.filter((s) => this.isNew(s)), (s) => this.deliver(s, 1, false));
          if (this.mustStop()) break;
          this.cursor = batch[batch.length - 1].seq;
        } else {
          for (const stored of batch) {
            if (this.mustStop()) break;
            if (this.isNew(stored) && !(await this.deliver(stored, 1, false))) break;
            this.cursor = stored.seq;
          }
        }
        await this.saveCursor(false);
      }
      await this.saveCursor(false);
    } catch (err) {
      // The store failed (disk full, database gone): keep the cursor where it was and try again later.
      this.logger.error({ plugin: this.plugin.name, err }, 'plugin worker pass failed; will retry');
    } finally {
      if (renewal) clearInterval(renewal);
    }
  }

  /**
   * Runs `work` over `items`, at most `concurrency` at a time; stops starting
   * new ones when stopped. `work` throws only when the store failed: then no
   * lane starts anything more, all settle, and the error goes to the pass,
   * which retries from the same cursor (lanes left running would deliver the
   * same events again beside the retry).
   */
  private async inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    const failures: unknown[] = [];
    const lane = async (): Promise<void> => {
      while (failures.length === 0 && next < items.length && !this.mustStop()) {
        try {
          await work(items[next++]);
        } catch (err) {
          failures.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.plugin.concurrency, items.length) }, lane));
    if (failures.length > 0) throw failures[0];
  }

  /** An event for the main path: one the plugin takes, and no retry row owns. */
  private isNew(stored: StoredEvent): boolean {
    if (!this.subscribes(stored.event)) return false;
    return this.owned.size === 0 || !this.owned.has(stored.seq);
  }

  private subscribes(event: CallbackEvent): boolean {
    return this.plugin.commands === null || this.plugin.commands.has(event.command);
  }

  private async runDueRetries(): Promise<void> {
    for (;;) {
      const due = await this.store.dueRetries(this.plugin.name, Date.now(), this.options.batchSize);
      if (due.length === 0 || this.mustStop()) return;
      await this.inParallel(due, ({ delivery, event }) => this.deliver(event, delivery.attempts + 1, true));
      if (this.mustStop()) return;
      if (due.length < this.options.batchSize) return;
    }
  }

  /**
   * One attempt. Resolves true once the outcome is written to the store (or
   * needed no writing), false when it was cut short by shutdown: then nothing
   * is recorded, the cursor must not pass the event, and the next start
   * delivers it again. Being stopped is not the plugin's failure, and must not
   * spend one of its attempts.
   */
  private async deliver(stored: StoredEvent, attempt: number, hasRow: boolean): Promise<boolean> {
    const { event, seq } = stored;
    const started = performance.now();
    const call = new CallCancellation();
    if (this.stopReason) call.abort(this.stopReason);
    this.calls.add(call);
    let succeeded = false;
    try {
      await runWithTimeout(this.plugin.name, this.plugin.timeoutMs, call, () =>
        this.plugin.handler.handle(event, {
          idempotencyKey: event.id,
          attempt,
          seq,
          get signal() {
            return call.signal;
          },
        }),
      );
      succeeded = true;
      this.options.onAttempt?.(this.plugin.name, 'done', performance.now() - started);
    } catch (err) {
      if (this.stopReason) {
        this.logger.info({ plugin: this.plugin.name, eventId: event.id, seq, attempt, err }, 'delivery cut short by shutdown: it runs again at the next start');
        return false;
      }
      const permanent = err instanceof PermanentError;
      const dead = permanent || attempt >= this.plugin.retry.maxAttempts;
      const nextAttemptAt = dead ? null : Date.now() + retryDelay(attempt, this.plugin.retry);
      const log = { plugin: this.plugin.name, eventId: event.id, seq, command: event.command, roomId: event.roomId, attempt, err };
      if (dead) this.logger.error(log, permanent ? 'plugin failed permanently: delivery is dead' : `plugin failed ${attempt} times: delivery is dead (livehook replay re-runs it)`);
      else this.logger.warn({ ...log, retryAt: new Date(nextAttemptAt!).toISOString() }, 'plugin failed: delivery will be retried');
      await this.store.recordFailure({ plugin: this.plugin.name, eventSeq: seq, attempts: attempt, nextAttemptAt, error: describeError(err) });
      this.options.onAttempt?.(this.plugin.name, dead ? 'dead' : 'retry', performance.now() - started);
    } finally {
      this.calls.delete(call);
    }
    // After the handler's try: a store failure here is not the plugin's failure
    // (the row stays, and the retry delivers once more: at least once).
    if (succeeded && hasRow) await this.store.markDelivered(this.plugin.name, seq);
    return true;
  }

  private async saveCursor(force: boolean): Promise<void> {
    if (this.cursor === this.savedCursor) return;
    const now = Date.now();
    if (!force && now - this.lastCursorSave < this.options.cursorFlushMs) {
      if (this.stopped) return; // stop() saves it; a timer now would write after the store closed
      // Coalesce: one cursor write per interval instead of one per batch.
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        void this.saveCursor(true).catch((err) => this.logger.error({ plugin: this.plugin.name, err }, 'could not save the cursor'));
      }, this.options.cursorFlushMs);
      return;
    }
    const cursor = this.cursor;
    await this.store.setCursor(this.plugin.name, cursor);
    this.savedCursor = cursor;
    this.lastCursorSave = now;
  }
}
