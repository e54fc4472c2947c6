/**
 * The `scheduler` capability: node-cron jobs for one plugin.
 *
 * - Expressions have 5 fields, or 6 with a leading seconds field, and are read
 *   in the service's time zone unless the job names another.
 * - Each run first claims its slot in the store, so with several instances on
 *   one database a slot runs once, on whichever instance fires first. The
 *   claim holds for `holdMs` (delivery.leaseMs) and is renewed as the run
 *   goes; the instances that found it claimed look again every half hold,
 *   and should its holder die mid-run (its claim runs out before the slot is
 *   marked done) one of them runs the slot. A job should therefore be safe
 *   to run again after a crash, as deliveries are (at least once).
 * - A job that throws is logged with the plugin and job name; it never
 *   crashes the process and the next slot runs as usual.
 * - A slot whose previous run is still going is skipped (no overlap).
 * - caughtUp() waits until the plugin has been offered the events stored so
 *   far (its cursor, which every instance shares, passes the log's end).
 * - stop() stops every timer, so the process (and mocha) can exit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createTask, validateDetailed, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { LivehookError, describeError } from '../errors';
import type { CaughtUpOptions, ScheduleOptions, ScheduledRun, Scheduler } from '../pipeline/capability-types';
import type { Store } from '../store/store';
import { isTimeZone } from '../util/time-zone';
import { SlotClaims } from './slot-claims';

export interface CronSchedulerDeps {
  store: Store;
  /** This instance's id (who claimed a slot). */
  owner: string;
  /** The plugin's name: keeps its jobs and claims apart from other plugins'. */
  namespace: string;
  /** Default IANA zone of the expressions. */
  timezone: string;
  logger: Logger;
  /** A job's run finished without error on this instance (metrics: last success per plugin and job). */
  onRunDone?: (plugin: string, job: string, finishedAt: number) => void;
  /** How long a slot's claim holds without renewal: how soon another instance runs the slot of one that died mid-run (delivery.leaseMs). */
  holdMs?: number;
}

type Task = (run: ScheduledRun) => Promise<void> | void;

const DEFAULT_CAUGHT_UP_TIMEOUT_MS = 600_000;
/** How often caughtUp() looks at the plugin's cursor (which delivery saves at most every cursorFlushMs). */
const CAUGHT_UP_POLL_MS = 200;
/** delivery.leaseMs's default. */
const DEFAULT_HOLD_MS = 15_000;
/** A slot claimed by another instance is watched this long at most (its run may be long, but not a day). */
const WATCH_LIMIT_MS = 24 * 3600_000;

export class CronScheduler implements Scheduler {
  private readonly jobs = new Map<string, ScheduledTask>();
  private readonly running = new Set<Promise<void>>();
  private readonly claims: SlotClaims;
  /** Slots another instance claimed, each looked at again in half a hold (cleared by stop()). */
  private readonly watches = new Set<NodeJS.Timeout>();
  private readonly holdMs: number;
  private stopped = false;

  constructor(private readonly deps: CronSchedulerDeps) {
    this.claims = new SlotClaims(deps.store, deps.namespace, deps.owner);
    this.holdMs = deps.holdMs ?? DEFAULT_HOLD_MS;
  }

  schedule(name: string, expression: string, task: Task, options: ScheduleOptions = {}): void {
    const where = `plugin "${this.deps.namespace}", job "${name}"`;
    if (this.stopped) throw new LivehookError('PLUGIN_FAILED', `${where}: the scheduler is stopped (the service is shutting down)`);
    if (this.jobs.has(name)) throw new LivehookError('PLUGIN_INVALID', `${where}: a job with this name is already scheduled`);
    const timezone = options.timezone ?? this.deps.timezone;
    const validation = validateDetailed(expression);
    if (!validation.valid) {
      const why = validation.errors.map((e) => e.message).join('; ');
      throw new LivehookError(
        'CONFIG_INVALID',
        `${where}: "${expression}" is not a cron expression (${why}); expected 5 fields "minute hour day-of-month month day-of-week", or 6 with a leading seconds field`,
        { plugin: this.deps.namespace, job: name, expression },
      );
    }
    if (!isTimeZone(timezone)) {
      throw new LivehookError('CONFIG_INVALID', `${where}: "${timezone}" is not an IANA time zone (for example "Asia/Shanghai" or "UTC")`, { plugin: this.deps.namespace, job: name, timezone });
    }

    // A plugin's logger already says which plugin: a key given twice makes a line that JSON tools read differently.
    const logger = this.deps.logger.child('plugin' in this.deps.logger.bindings() ? { job: name } : { plugin: this.deps.namespace, job: name });
    const job = createTask(expression, (ctx) => this.track(this.runSlot(name, ctx.date, task, logger)), {
      name: `${this.deps.namespace}:${name}`,
      timezone,
      noOverlap: true,
      logger: cronLogger(logger),
    });
    this.jobs.set(name, job);
    void job.start();
    logger.info({ expression, timezone, next: job.getNextRun()?.toISOString() }, 'cron job scheduled');
  }

  async once(key: string, task: () => Promise<void> | void): Promise<boolean> {
    if (!(await this.claims.claimOnce(key))) return false;
    try {
      await task();
    } catch (err) {
      // Not done: give the claim back so that a later call can try again.
      await this.claims.releaseOnce(key);
      throw err;
    }
    return true;
  }

  async caughtUp(options: CaughtUpOptions = {}): Promise<boolean> {
    const { timeoutMs = DEFAULT_CAUGHT_UP_TIMEOUT_MS, signal } = options;
    const deadline = Date.now() + timeoutMs;
    const end = await this.deps.store.latestSeq();
    for (;;) {
      // The plugin's cursor in the store: whichever instance holds its lease moves it.
      if (((await this.deps.store.getCursor(this.deps.namespace)) ?? 0) >= end) return true;
      if (this.stopped || signal?.aborted || Date.now() >= deadline) return false;
      // (an abort ends the wait at once; the loop then says false)
      await sleep(Math.min(CAUGHT_UP_POLL_MS, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => undefined);
    }
  }

  /** Stops every job of this plugin. Runs in progress finish on their own (see idle()). */
  stop(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) void job.destroy();
    this.jobs.clear();
    for (const watch of this.watches) clearTimeout(watch);
    this.watches.clear();
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async runSlot(name: string, slot: Date, task: Task, logger: Logger): Promise<void> {
    if (this.stopped) return;
    try {
      const claim = await this.claims.claimSlot(name, slot, this.holdMs);
      if (claim === 'won') return await this.runClaimed(name, slot, task, logger);
      logger.debug({ slot: slot.toISOString() }, claim === 'done' ? 'slot already run by another instance' : 'slot claimed by another instance');
      if (claim === 'held') this.watch(name, slot, task, logger, Date.now() + WATCH_LIMIT_MS);
    } catch (err) {
      this.logFailure(name, slot, err, logger);
    }
  }

  /** Runs a slot this instance holds, renewing the claim as it goes, and marks it done (or gives it back when stopping). */
  private async runClaimed(name: string, slot: Date, task: Task, logger: Logger): Promise<void> {
    const renewal = setInterval(() => {
      this.claims.renewSlot(name, slot, this.holdMs).then(
        (held) => held || logger.warn({ slot: slot.toISOString() }, `cron job "${name}": this instance's claim on the slot ran out before the run ended (the event loop or the database was stalled for ${this.holdMs} ms); another instance may run it too`),
        () => undefined, // the next renewal tries again; a store that cannot write is reported by the store
      );
    }, Math.max(100, Math.floor(this.holdMs / 3)));
    renewal.unref();
    const started = Date.now();
    let failure: { err: unknown } | null = null;
    try {
      await task({ slot });
    } catch (err) {
      failure = { err };
    } finally {
      clearInterval(renewal);
    }
    // Recorded before the run is reported, so that "cron job done" means no one runs the slot again.
    // A run that ended is done, also one that ended while its instance stopped, and one that threw
    // (the next slot runs as usual), unless it threw once the stop began: cut short, it is given
    // back, for an instance that is still running to take over.
    await (failure && this.stopped ? this.claims.releaseSlot(name, slot) : this.claims.slotDone(name, slot)).catch((err: unknown) =>
      logger.warn({ slot: slot.toISOString(), err }, `cron job "${name}": could not record the end of the run: ${describeError(err)}`),
    );
    if (failure) return this.logFailure(name, slot, failure.err, logger);
    this.deps.onRunDone?.(this.deps.namespace, name, Date.now());
    logger.info({ slot: slot.toISOString(), ms: Date.now() - started }, 'cron job done');
  }

  /** Looks at a slot another instance holds again in half a hold: runs it here if that one died mid-run. */
  private watch(name: string, slot: Date, task: Task, logger: Logger, until: number): void {
    if (this.stopped || Date.now() >= until) return;
    const timer = setTimeout(() => {
      this.watches.delete(timer);
      void this.track(this.lookAgain(name, slot, task, logger, until));
    }, Math.max(100, Math.floor(this.holdMs / 2)));
    timer.unref();
    this.watches.add(timer);
  }

  private async lookAgain(name: string, slot: Date, task: Task, logger: Logger, until: number): Promise<void> {
    if (this.stopped) return;
    try {
      const claim = await this.claims.takeOver(name, slot, this.holdMs);
      if (claim === 'held') return this.watch(name, slot, task, logger, until);
      if (claim === 'done') return;
      logger.warn({ slot: slot.toISOString() }, `cron job "${name}": the instance that claimed slot ${slot.toISOString()} stopped before its run ended (it died, or gave the slot back at a stop); running it here`);
      await this.runClaimed(name, slot, task, logger);
    } catch (err) {
      logger.warn({ slot: slot.toISOString(), err }, `cron job "${name}": could not look at slot ${slot.toISOString()} again (${describeError(err)}); trying later`);
      this.watch(name, slot, task, logger, until);
    }
  }

  private logFailure(name: string, slot: Date, err: unknown, logger: Logger): void {
    logger.error({ hook: 'cron', slot: slot.toISOString(), err, error: describeError(err) }, `cron job "${name}" of plugin "${this.deps.namespace}" failed: ${describeError(err)}`);
  }

  private track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }
}

/** node-cron's own warnings (a missed slot, an overlap) go to the plugin's log. */
function cronLogger(logger: Logger): CronLogger {
  return {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message, err) => logger.error({ hook: 'cron', err: err ?? message }, typeof message === 'string' ? message : describeError(message)),
    debug: (message) => logger.debug(typeof message === 'string' ? message : describeError(message)),
  };
}
