/**
 * One plugin's isolate, seen from the ingest thread: the worker thread its
 * code runs in, and what happens when that thread ends without being asked.
 *
 * - start(): spawn the worker (heap limit, a trimmed environment, a line of
 *   its own to the store) and wait until the plugin is prepared, its init
 *   done and its delivery loop running; or reject with the plugin's error.
 * - A crash (process.exit, an uncaught exception or rejection, a heap
 *   overflow) ends the worker only. Each delivery it had in progress (read
 *   from its board in shared memory) is recorded as a failed attempt, so it
 *   is retried with backoff and then dead, as if the handler had thrown;
 *   then the worker is started again, after a backoff of its own.
 * - The watchdog: a worker whose event loop has not turned for longer than
 *   the plugin's time-out (a CPU loop) is terminated, and counted the same way.
 * - A plugin that keeps crashing is `failed` (readiness, metrics, `livehook
 *   plugins`) while it keeps being restarted, less and less often, until it
 *   has run a while without a crash (./crash-record.ts).
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RetryPolicy } from '../config/service-config';
import { LivehookError, describeError } from '../errors';
import type { EnabledPlan } from '../pipeline/plan-plugins';
import type { PluginFacts } from './inside/prepare-plugin';
import { writeIsolateLines } from './log-bridge';
import { errorFromData } from './error-data';
import type { FromIsolate, IsolateMode, ToIsolate } from './protocol';
import { failInFlight } from './in-flight-failures';
import { spawnIsolateWorker } from './isolate-worker';
import { CrashRecord } from './crash-record';
import { IsolateBoard } from './shared-state';
import { exitReason, stallVerdict, stopWorker } from './worker-ending';
import { PendingCalls } from './pending-calls';
import type { IsolateDeps, IsolateState } from './isolate-types';

export type { IsolateDeps, IsolateObservers, IsolateState } from './isolate-types';
import type { CallbackEvent } from '../callbacks/event';
import type { Decision } from '../decide/decision';

/** Deliveries at once are capped at 1000 by config: one slot each on the board. */
const MAX_SLOTS = 1000;
/** An isolate past its startTimeoutMs is asked to stop within this long, then terminated. */
const START_TIMEOUT_STOP_MS = 2000;

export class PluginIsolate {
  readonly name: string;
  readonly board = IsolateBoard.create(MAX_SLOTS);
  state: IsolateState = 'starting';
  /** Why it is failed or restarting. */
  reason: string | null = null;
  /** What the plugin says of itself, once prepared. */
  facts: PluginFacts | null = null;
  private worker: Worker | null = null;
  private readonly crashes = new CrashRecord(() => {
    if (this.worker) this.setState('running', null);
  });
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** Why the watchdog terminated the worker, when it did. */
  private killedBecause: string | null = null;
  private lastError: Error | null = null;
  /** Between spawning a worker and its ready message. */
  private booting = false;
  private readonly tasks = new PendingCalls<string | undefined>();
  private readonly decisions = new PendingCalls<Decision>();
  /** Metrics messages read (see IsolateBoard.metricsSent). */
  private metricsRead = 0;
  private readonly logger: Logger;

  constructor(
    readonly plan: EnabledPlan,
    private readonly mode: IsolateMode,
    private readonly deps: IsolateDeps,
  ) {
    this.name = plan.name;
    this.logger = deps.logger.child({ plugin: plan.name });
  }

  /** Times its isolate ended without being asked and was restarted. */
  get restarts(): number {
    return this.crashes.restarts;
  }

  /** Every metrics message the isolate sent has been read here. */
  get metricsCaughtUp(): boolean {
    return this.board.metricsSent <= this.metricsRead;
  }

  /** The plugin's time-out per delivery. */
  get timeoutMs(): number {
    return this.plan.settings.timeoutMs ?? this.deps.service.delivery.timeoutMs;
  }

  get retry(): RetryPolicy {
    return { ...this.deps.service.delivery.retry, ...this.plan.settings.retry };
  }

  /**
   * Starts the worker; resolves once the plugin runs, or rejects with its
   * error (the isolate is then `failed` and ended). With `initAfter`, the
   * plugin loads at once but runs init only once that promise settles.
   */
  async start(initAfter?: Promise<unknown>): Promise<void> {
    try {
      await this.spawn(initAfter);
      this.setState('running', null);
      if (this.mode === 'serve') {
        const facts = this.facts!;
        this.logger.info({ version: facts.version, commands: facts.commands, isolation: this.plan.settings.isolation, heapMb: this.plan.settings.heapMb }, 'plugin started');
      }
    } catch (err) {
      this.setState('failed', describeError(err));
      throw err;
    }
  }

  /** It failed in init: it stays `failed` with the reason and is started again with backoff, as after a crash. */
  retryStart(): void {
    if (this.stopping) return;
    this.crashes.restartFailed();
    this.scheduleRestart();
  }

  /** Runs a CLI task in the isolate. */
  runTask(task: string, args: Record<string, string>): Promise<string | undefined> {
    const worker = this.worker;
    if (!worker || this.state !== 'running') {
      return Promise.reject(new LivehookError('USAGE', `plugin "${this.name}" is not running (${this.state}${this.reason ? `: ${this.reason}` : ''}), so it cannot run task "${task}"`));
    }
    const { id, answer } = this.tasks.open(null);
    this.send({ type: 'task', id, task, args });
    return answer;
  }

  /** Commands this plugin answers before they happen (its manifest's `decides`). */
  decides(command: string): boolean {
    return this.facts?.decides.includes(command) ?? false;
  }

  /** Asks the plugin to decide a before-callback by `deadline`; rejects when it fails, is late, or is not running. */
  decide(event: CallbackEvent, deadline: number): Promise<Decision> {
    if (!this.worker || this.state !== 'running') {
      return Promise.reject(new LivehookError('PLUGIN_FAILED', `plugin "${this.name}" is not running (${this.state}${this.reason ? `: ${this.reason}` : ''}), so it cannot decide`, { plugin: this.name, hook: 'decide' }));
    }
    const { id, answer } = this.decisions.open(deadline, (ms) => new LivehookError('PLUGIN_TIMEOUT', `plugin "${this.name}" did not decide within ${ms} ms (its share of the decision budget)`, { plugin: this.name, hook: 'decide' }));
    this.send({ type: 'decide', id, event, deadline });
    return answer;
  }

  /** Dead deliveries were requeued: look for due retries now. */
  kick(): void {
    this.send({ type: 'kick' });
  }

  /** Asks the isolate to finish its deliveries within graceMs and end; terminates it if it does not. Idempotent. */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  /** Called every few hundred ms: terminates a worker whose event loop has stopped turning. */
  watch(now: number): void {
    if (!this.worker || this.stopping || this.killedBecause) return;
    const stalled = now - this.board.heartbeat;
    this.killedBecause = stallVerdict(stalled, this.booting, this.timeoutMs, this.plan.settings.startTimeoutMs);
    if (!this.killedBecause) return;
    this.logger.error({ hook: this.booting ? 'init' : 'handle', stalledMs: stalled }, `plugin "${this.name}": ${this.killedBecause}; terminating its isolate`);
    void this.worker.terminate();
  }

  private async stopNow(graceMs: number): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.crashes.stop();
    if (this.worker) await stopWorker(this.worker, graceMs, (inner) => this.send({ type: 'stop', graceMs: inner }), this.logger, this.name);
    this.setState('stopped', null);
  }

  private spawn(initAfter?: Promise<unknown>): Promise<void> {
    this.board.beat(Date.now());
    // What a dead worker sent last may never arrive: start the count afresh.
    this.metricsRead = this.board.metricsSent;
    this.booting = true;
    this.killedBecause = null;
    this.lastError = null;
    const { worker, compileLine } = spawnIsolateWorker(this.plan, this.mode, this.deps, this.board, initAfter !== undefined);
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let ready = false;
      // An init that awaits what never comes keeps the loop turning, past the watchdog: it gets
      // as long as a blocked one would, then its isolate ends and it is started again with backoff.
      let startLimit: NodeJS.Timeout | undefined;
      const limitStart = (): void => {
        const limitMs = this.plan.settings.startTimeoutMs;
        startLimit = setTimeout(() => {
          if (settled || this.killedBecause) return;
          this.killedBecause = `it did not finish starting within ${limitMs} ms ("startTimeoutMs" in ${this.plan.settings.file}; an init that never settles?)`;
          this.logger.error({ hook: 'init' }, `plugin "${this.name}": ${this.killedBecause}; stopping its isolate`);
          // Asked first (its loop turns): a process-isolated plugin's child is then ended and reaped, not left a zombie.
          void stopWorker(worker, START_TIMEOUT_STOP_MS, (inner) => this.send({ type: 'stop', graceMs: inner }), this.logger, this.name);
        }, limitMs);
        startLimit.unref();
      };
      if (initAfter === undefined) limitStart();
      worker.on('message', (message: FromIsolate) => {
        if (message.type === 'loaded') {
          void initAfter?.finally(() => {
            this.send({ type: 'init' });
            limitStart();
          });
        } else if (message.type === 'ready' && !settled) {
          clearTimeout(startLimit);
          settled = true;
          ready = true;
          this.booting = false;
          this.facts = message.facts;
          resolve();
        } else if (message.type === 'failed' && !settled) {
          clearTimeout(startLimit);
          settled = true;
          this.booting = false;
          // Stopped past its startTimeoutMs, its init fails on the way out (a process-isolated one's child is gone): the time-out is the reason.
          reject(
            this.killedBecause
              ? new LivehookError('PLUGIN_FAILED', `plugin "${this.name}" failed to start: its isolate was stopped: ${this.killedBecause}`, { plugin: this.name, hook: 'init' })
              : errorFromData(message.error),
          );
        } else {
          this.onMessage(message);
        }
      });
      worker.on('error', (err) => {
        this.lastError = err;
      });
      worker.on('exit', (code) => {
        clearTimeout(startLimit);
        this.worker = null;
        this.deps.head.countOut(this.board);
        this.booting = false;
        compileLine.close();
        const why = exitReason(code, this.killedBecause, this.lastError, this.plan.settings);
        this.tasks.failAll(() => new LivehookError('PLUGIN_FAILED', `plugin "${this.name}" ended before its task finished: ${why}`, { plugin: this.name }));
        this.decisions.failAll(() => new LivehookError('PLUGIN_FAILED', `plugin "${this.name}" ended before it decided: ${why}`, { plugin: this.name, hook: 'decide' }));
        if (!settled) {
          settled = true;
          reject(new LivehookError('PLUGIN_FAILED', `plugin "${this.name}" failed to start: its isolate ${why}`, { plugin: this.name, hook: 'init' }));
          return;
        }
        // Only an isolate that was running crashes: one that failed to start said why already.
        if (!ready || this.stopping || this.mode === 'check') return;
        void this.onCrash(why);
      });
    });
  }

  private onMessage(message: FromIsolate): void {
    switch (message.type) {
      case 'log':
        writeIsolateLines(this.deps.logger, message.lines);
        break;
      case 'metrics': {
        this.metricsRead += 1;
        const { observers } = this.deps;
        for (const [outcome, ms] of message.attempts) observers.attempt(this.name, outcome, ms);
        for (const [transport, outcome] of message.mails) observers.mail(transport, outcome);
        for (const [job, at] of message.cron) observers.cronRunDone(this.name, job, at);
        break;
      }
      case 'crashed':
        // A process-isolated plugin's child: the isolate restarts it and has counted its deliveries.
        this.noteCrash(message.reason);
        if (this.state === 'running' && this.crashes.failing) this.setState('failed', message.reason);
        break;
      case 'decided':
        this.decisions.settle(message.id, message.decision!, message.error);
        break;
      case 'task-done':
        this.tasks.settle(message.id, message.result, message.error);
        break;
      default:
        break;
    }
  }

  private async onCrash(why: string): Promise<void> {
    const reason = `its isolate ${why}`;
    this.noteCrash(reason);
    await failInFlight({ plugin: this.name, board: this.board, store: this.deps.store, policy: this.retry, logger: this.logger, observers: this.deps.observers }, reason);
    // The dead isolate's cursor was in memory, ahead of the one saved: the backlog
    // (livehook_deliveries_pending) is counted from the saved one, which the next isolate starts from.
    const saved = await this.deps.store?.getCursor(this.name).catch(() => null);
    if (typeof saved === 'number') this.board.cursor = saved;
    this.setState(this.crashes.failing ? 'failed' : 'restarting', reason);
    this.scheduleRestart();
  }

  /** Counts a crash (metrics, the `failed` window) and says so in the log. */
  private noteCrash(reason: string): void {
    this.crashes.crashed();
    this.deps.observers.restarted(this.name);
    this.logger.error({ hook: 'isolate', restarts: this.restarts }, `plugin "${this.name}": ${reason}; the service goes on, and the plugin is restarted`);
  }

  private scheduleRestart(): void {
    const delay = this.crashes.restartDelayMs;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn().then(
        () => {
          this.logger.info({ restarts: this.restarts }, `plugin "${this.name}" restarted`);
          // A `failed` plugin stays so until it has run a whole window without a crash.
          this.crashes.running();
          if (!this.crashes.failing) this.setState('running', null);
        },
        (err: unknown) => {
          if (this.stopping) return;
          const reason = describeError(err);
          this.logger.error({ hook: 'init' }, `plugin "${this.name}" could not be restarted: ${reason}`);
          this.crashes.restartFailed();
          this.setState('failed', reason);
          this.scheduleRestart();
        },
      );
    }, delay);
    this.restartTimer.unref();
  }

  private setState(state: IsolateState, reason: string | null): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.deps.observers.stateChanged(this);
  }

  private send(message: ToIsolate): void {
    this.worker?.postMessage(message);
  }
}

