/**
 * One plugin's consumer of the event log, running in the plugin's isolate.
 *
 * It reads events after its cursor from its own store connection, hands
 * those the plugin takes to the handler (one at a time in log order, or up to
 * `concurrency` at once) under the plugin's time-out, and moves the cursor
 * on. A failure gets a delivery row (retrying with backoff, or dead) before
 * the cursor passes the event, so nothing is skipped; a crash before the
 * cursor is saved means the handler sees the event again (at least once; the
 * idempotency key makes effects exactly once).
 *
 * It looks for a new head of the log the ingest thread publishes (shared
 * memory, no message; see news-waiter.ts), and polls for due retries and for events stored by
 * other instances. Every delivery in progress is written on the isolate's
 * board, so that if the isolate dies or is killed, the ingest thread counts
 * each of them as a failed attempt.
 *
 * With several instances on one database, the loop delivers only while it
 * holds the plugin's lease, so each event reaches a plugin on one instance.
 */
import type { Logger } from 'pino';
import type { CallbackEvent } from '../../callbacks/event';
import type { RetryPolicy } from '../../config/service-config';
import type { Store, StoredEvent } from '../../store/store';
import { FailureSpell } from '../../log/failure-spell';
import type { IsolateBoard, LogHead } from '../shared-state';
import type { PluginInstance } from './plugin-instance';
import type { CallCancellation } from './run-with-timeout';
import { type AttemptContext, attemptDelivery } from './delivery-attempt';
import { inLanes } from './in-lanes';
import { NewsWaiter } from './news-waiter';

export interface DeliveryPlugin {
  name: string;
  instance: PluginInstance;
  /** null = every command, unknown ones included. */
  commands: ReadonlySet<string> | null;
  timeoutMs: number;
  retry: RetryPolicy;
  concurrency: number;
}

export interface DeliveryOptions {
  batchSize: number;
  /** A batch read from the log holds no more than about this many bytes of events. */
  batchBytes: number;
  instanceId: string;
  useLeases: boolean;
  leaseMs: number;
  /** How long a cursor may stay in memory only (redelivery window after a crash). */
  cursorFlushMs: number;
  /** A plugin with no cursor yet starts at the end of the log (only new events) or at its beginning. */
  startFrom: 'end' | 'beginning';
  /** Called after each delivery attempt (metrics). */
  onAttempt?: (outcome: 'done' | 'retry' | 'dead', durationMs: number) => void;
  /** Called when a pass is over and the loop is about to wait. */
  onIdle?: () => void;
}

export class DeliveryLoop {
  /** Highest seq finished (in memory; saved at most cursorFlushMs later). */
  private cursorValue = 0;
  private savedCursor = 0;
  private lastCursorSave = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private leaseUntil = 0;
  private readonly news: NewsWaiter;
  private flushTimer: NodeJS.Timeout | null = null;
  /**
   * Events after the cursor that already had a delivery row at start (a crash
   * came between the row and the cursor save, or the isolate died while
   * delivering them): their row's retry delivers them, not the main path.
   */
  private readonly owned = new Set<number>();
  /** Calls in progress, cancelled when stop() runs out of grace. */
  private readonly calls = new Set<CallCancellation>();
  private stopReason: Error | null = null;
  private readonly pollMs: number;
  private readonly attempts: AttemptContext;
  /** A store outage fails every pass, every poll: said once, summed up, and its end said. */
  private readonly passFailures: FailureSpell;

  constructor(
    private readonly plugin: DeliveryPlugin,
    private readonly store: Store,
    private readonly head: LogHead,
    private readonly board: IsolateBoard,
    private readonly logger: Logger,
    private readonly options: DeliveryOptions,
  ) {
    this.pollMs = Math.min(1000, Math.max(25, Math.floor(plugin.retry.baseMs / 2)));
    this.news = new NewsWaiter(head, board);
    this.attempts = { plugin, store, board, logger, calls: this.calls, stopReason: () => this.stopReason, onAttempt: options.onAttempt };
    this.passFailures = new FailureSpell(logger, 'delivery passes');
  }

  get cursor(): number {
    return this.cursorValue;
  }

  private set cursor(seq: number) {
    this.cursorValue = seq;
    this.board.cursor = seq;
  }

  /** Loads or creates the cursor, then delivers until stop(). */
  async start(): Promise<void> {
    this.cursor = await ensureCursor(this.store, this.plugin.name, this.options.startFrom);
    this.savedCursor = this.cursor;
    for (const row of await this.store.listDeliveries({ plugin: this.plugin.name })) if (row.eventSeq > this.cursor) this.owned.add(row.eventSeq);
    this.board.started = true;
    this.running = this.run();
  }

  /** Something may be waiting (retries requeued): look now. */
  kick(): void {
    this.again = true;
    this.news.wake();
  }

  /** Stop taking work; wait up to graceMs for the deliveries in progress, then abort them. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.news.wake();
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
      // Handlers that heed the signal end now; give them a moment to be recorded
      // before the cursor is saved and the lease released (not the whole grace again).
      await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 100).unref())]);
    }
    await this.news.settled();
    await this.saveCursor(true).catch((err) => this.logger.error({ err }, 'could not save the cursor at shutdown'));
    if (this.options.useLeases) await this.store.releaseLease(this.leaseName(), this.options.instanceId).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const seen = this.news.look();
      this.board.busy = true;
      try {
        await this.pass();
        this.options.onIdle?.();
      } finally {
        this.board.busy = false;
      }
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        continue;
      }
      await this.news.wait(seen, this.pollMs);
    }
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
    // Another instance may have moved the cursor while we did not hold the lease.
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
      if (!(await this.holdLease())) {
        this.passFailures.succeeded(); // the store answered: another instance holds this plugin's lease
        return;
      }
      if (this.options.useLeases) {
        // A pass can outlast the lease (a slow plugin, a long backlog): keep renewing
        // while it runs, so another instance never takes over work still in progress.
        renewal = setInterval(() => {
          // The clock before asking: the database dates the lease when it runs the statement.
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
        // Slots are emptied as events are delivered: a body built for one event (a big one takes
        // tens of MB) is not held until the whole batch is done.
        const batch: Array<StoredEvent | undefined> = await this.store.readEvents(this.cursor, this.options.batchSize, this.options.batchBytes);
        if (batch.length === 0) break;
        const last = batch[batch.length - 1]!.seq;
        if (this.plugin.concurrency > 1) {
          // Events are independent for this plugin: overlap them, then pass them all.
          const taken = batch.filter((s) => this.isNew(s!));
          batch.length = 0;
          await inLanes(this.plugin.concurrency, () => this.mustStop(), taken, (s) => this.deliver(s!, 1, false));
          if (this.mustStop()) break;
          this.cursor = last;
        } else {
          for (let i = 0; i < batch.length; i++) {
            const stored = batch[i]!;
            batch[i] = undefined;
            if (this.mustStop()) break;
            if (this.isNew(stored) && !(await this.deliver(stored, 1, false))) break;
            this.cursor = stored.seq;
          }
        }
        await this.saveCursor(false);
      }
      await this.saveCursor(false);
      this.passFailures.succeeded();
    } catch (err) {
      // The store failed (disk full, database gone): keep the cursor where it was and try again later.
      // No handler ran (hook "handle" lines carry the event): the pass's own reads and writes failed.
      this.passFailures.failed({ stage: 'delivery pass', err }, 'plugin delivery pass failed (reading the log or saving the cursor); will retry');
    } finally {
      if (renewal) clearInterval(renewal);
    }
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
      await inLanes(this.plugin.concurrency, () => this.mustStop(), due, ({ delivery, event }) => this.deliver(event, delivery.attempts + 1, true));
      if (this.mustStop()) return;
      if (due.length < this.options.batchSize) return;
    }
  }

  private deliver(stored: StoredEvent, attempt: number, hasRow: boolean): Promise<boolean> {
    return attemptDelivery(this.attempts, stored, attempt, hasRow);
  }

  private async saveCursor(force: boolean): Promise<void> {
    if (this.cursor === this.savedCursor) return;
    const now = Date.now();
    if (!force && now - this.lastCursorSave < this.options.cursorFlushMs) {
      if (this.stopped) return; // stop() saves it; a timer now would write after the store closed
      // Coalesce: one cursor write per interval instead of one per batch.
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        void this.saveCursor(true).catch((err) => this.logger.error({ err }, 'could not save the cursor'));
      }, this.options.cursorFlushMs);
      return;
    }
    const cursor = this.cursor;
    await this.store.setCursor(this.plugin.name, cursor);
    this.savedCursor = cursor;
    this.lastCursorSave = now;
  }
}

/**
 * The plugin's cursor, created where `startFrom` says if it has none yet.
 * Called before the plugin's init too: events that arrive while a new plugin
 * fails in init and waits to be started again are its to deliver.
 */
export async function ensureCursor(store: Store, plugin: string, startFrom: 'end' | 'beginning'): Promise<number> {
  const saved = await store.getCursor(plugin);
  if (saved !== null) return saved;
  const start = startFrom === 'beginning' ? 0 : await store.latestSeq();
  await store.setCursor(plugin, start);
  return start;
}
