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
 * - A plugin that crashed CRASHES_TO_FAIL times within CRASH_WINDOW_MS is
 *   `failed` (readiness, metrics, `livehook plugins`) while it keeps being
 *   restarted, less and less often, until it has run HEALTHY_AFTER_MS without
 *   a crash.
 */
import path from 'node:path';
import { Worker, type Transferable } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ServiceConfig, RetryPolicy } from '../config/service-config';
import { LivehookError, describeError } from '../errors';
import { retryDelay } from '../pipeline/backoff';
import type { EnabledPlan } from '../pipeline/plan-plugins';
import type { Store } from '../store/store';
import { linkTo } from '../store/store-link';
import { precompileTree, ROOT } from '../bin/ts-loader';
import { openCompileLine } from './compile-bridge';
import type { PluginFacts } from './inside/prepare-plugin';
import { isolateEnv } from './isolate-env';
import { writeIsolateLines } from './log-bridge';
import { errorFromData } from './error-data';
import type { FromIsolate, IsolateMode, IsolateSpec, ToIsolate } from './protocol';
import { IsolateBoard, type LogHead } from './shared-state';

const BOOT_FILE = path.join(__dirname, 'inside', 'boot.js');
/** Deliveries at once are capped at 1000 by config: one slot each on the board. */
const MAX_SLOTS = 1000;
/** Crashes within this window that make a plugin `failed`... */
const CRASH_WINDOW_MS = 10 * 60_000;
const CRASHES_TO_FAIL = 3;
/** ...until it has run this long without a crash. */
const HEALTHY_AFTER_MS = 60_000;
/** ...and the backoff between restarts: 1 s, 2 s, 4 s... up to this. */
const MAX_RESTART_DELAY_MS = 5 * 60_000;
/** The event loop may stall this much past the plugin's time-out (GC, a big batch, a busy machine) before the watchdog acts. */
const WATCHDOG_SLACK_MS = 1000;
/** While an isolate boots (loading modules, opening its store, init), its loop may be busy much longer. */
const BOOT_LIMIT_MS = 60_000;
/**
 * A stop asked with grace G: the isolate lets its deliveries run G - STOP_WRAP_UP_MS, then aborts
 * them, saves its cursor and closes its plugin and store; at G + STOP_SLACK_MS it is terminated,
 * whatever it is doing. So the service is gone within its shutdown grace plus a second.
 */
const STOP_WRAP_UP_MS = 300;
const STOP_SLACK_MS = 250;

export type IsolateState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface IsolateObservers {
  attempt(plugin: string, outcome: 'done' | 'retry' | 'dead', durationMs: number): void;
  mail(transport: 'smtp' | 'outbox', outcome: 'sent' | 'failed'): void;
  cronRunDone(plugin: string, job: string, finishedAt: number): void;
  restarted(plugin: string): void;
  stateChanged(isolate: PluginIsolate): void;
}

export interface IsolateDeps {
  service: ServiceConfig;
  /** null for a check (nothing is read or written). */
  store: Store | null;
  head: LogHead;
  logger: Logger;
  logTo: 'stderr' | 'parent';
  instanceId: string;
  useLeases: boolean;
  observers: IsolateObservers;
}

interface Pending {
  resolve(result: string | undefined): void;
  reject(err: Error): void;
}

export class PluginIsolate {
  readonly name: string;
  readonly board = IsolateBoard.create(MAX_SLOTS);
  state: IsolateState = 'starting';
  /** Why it is failed or restarting. */
  reason: string | null = null;
  /** What the plugin says of itself, once prepared. */
  facts: PluginFacts | null = null;
  restarts = 0;
  private worker: Worker | null = null;
  private crashes: number[] = [];
  private restartTimer: NodeJS.Timeout | null = null;
  private healthyTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** Why the watchdog terminated the worker, when it did. */
  private killedBecause: string | null = null;
  private lastError: Error | null = null;
  /** Between spawning a worker and its ready message. */
  private booting = false;
  private readonly tasks = new Map<number, Pending>();
  /** Metrics messages read (see IsolateBoard.metricsSent). */
  private metricsRead = 0;
  private nextTask = 1;
  private readonly logger: Logger;

  constructor(
    readonly plan: EnabledPlan,
    private readonly mode: IsolateMode,
    private readonly deps: IsolateDeps,
  ) {
    this.name = plan.name;
    this.logger = deps.logger.child({ plugin: plan.name });
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

  /** Runs a CLI task in the isolate. */
  runTask(task: string, args: Record<string, string>): Promise<string | undefined> {
    const worker = this.worker;
    if (!worker || this.state !== 'running') {
      return Promise.reject(new LivehookError('USAGE', `plugin "${this.name}" is not running (${this.state}${this.reason ? `: ${this.reason}` : ''}), so it cannot run task "${task}"`));
    }
    const id = this.nextTask++;
    return new Promise((resolve, reject) => {
      this.tasks.set(id, { resolve, reject });
      this.send({ type: 'task', id, task, args });
    });
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
    const limit = this.booting ? Math.max(BOOT_LIMIT_MS, this.timeoutMs) : this.timeoutMs + Math.max(WATCHDOG_SLACK_MS, this.timeoutMs / 2);
    const stalled = now - this.board.heartbeat;
    if (stalled <= limit) return;
    this.killedBecause = this.booting
      ? `its event loop was blocked for more than ${limit} ms while it started (init never returned?)`
      : `its event loop was blocked for more than ${limit} ms (past the time-out of ${this.timeoutMs} ms): a handler that never returns, such as a CPU loop`;
    this.logger.error({ hook: this.booting ? 'init' : 'handle', stalledMs: stalled }, `plugin "${this.name}": ${this.killedBecause}; terminating its isolate`);
    void this.worker.terminate();
  }

  private async stopNow(graceMs: number): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      this.send({ type: 'stop', graceMs: Math.max(0, graceMs - STOP_WRAP_UP_MS) });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs + STOP_SLACK_MS);
      });
      if ((await Promise.race([exited, late])) === 'late') {
        this.logger.warn({ graceMs }, `plugin "${this.name}" did not stop within ${graceMs} ms: its isolate is terminated (its deliveries in progress run again at the next start)`);
        await worker.terminate();
      }
      clearTimeout(timer);
    }
    this.setState('stopped', null);
  }

  private spawn(initAfter?: Promise<unknown>): Promise<void> {
    const { service, store } = this.deps;
    const { link, transfer } = this.mode === 'check' || !store ? { link: undefined, transfer: [] as Transferable[] } : linkTo(store);
    // Compiled here, where the compiler may live (see compile-bridge.ts): the isolate only reads the cache.
    precompileTree(this.plan.found.dir, () => undefined);
    precompileTree(path.join(ROOT, 'src'), () => undefined);
    const compileLine = openCompileLine();
    const spec: IsolateSpec = {
      mode: this.mode,
      found: this.plan.found,
      settings: this.plan.settings,
      service: {
        dataDir: service.dataDir,
        timezone: service.timezone,
        publicUrl: (service as { publicUrl?: string | null }).publicUrl ?? null,
        mail: service.mail,
        // The level of the logger it writes for (the CLI quiets 'info' to 'warn'), not the config's.
        logLevel: this.deps.logger.level,
        delivery: {
          timeoutMs: service.delivery.timeoutMs,
          retry: service.delivery.retry,
          batchSize: service.delivery.batchSize,
          batchBytes: service.delivery.batchBytes,
          leaseMs: service.delivery.leaseMs,
        },
      },
      instanceId: this.deps.instanceId,
      useLeases: this.deps.useLeases,
      store: link,
      head: this.deps.head.buffer,
      board: this.board.buffer,
      logTo: this.deps.logTo,
      compile: compileLine.line,
      initGate: initAfter !== undefined,
    };
    this.board.beat(Date.now());
    // What a dead worker sent last may never arrive: start the count afresh.
    this.metricsRead = this.board.metricsSent;
    this.booting = true;
    this.killedBecause = null;
    this.lastError = null;
    const worker = new Worker(BOOT_FILE, {
      workerData: spec,
      transferList: [...transfer, compileLine.line.port],
      resourceLimits: { maxOldGenerationSizeMb: this.plan.settings.heapMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(this.plan.settings.heapMb / 8))) },
      env: isolateEnv(this.plan.settings.capabilities),
      name: `livehook plugin ${this.name}`,
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let ready = false;
      worker.on('message', (message: FromIsolate) => {
        if (message.type === 'loaded') {
          void initAfter?.finally(() => this.send({ type: 'init' }));
        } else if (message.type === 'ready' && !settled) {
          settled = true;
          ready = true;
          this.booting = false;
          this.facts = message.facts;
          resolve();
        } else if (message.type === 'failed' && !settled) {
          settled = true;
          this.booting = false;
          reject(errorFromData(message.error));
        } else {
          this.onMessage(message);
        }
      });
      worker.on('error', (err) => {
        this.lastError = err;
      });
      worker.on('exit', (code) => {
        this.worker = null;
        this.booting = false;
        compileLine.close();
        const why = this.exitReason(code);
        for (const pending of this.tasks.values()) pending.reject(new LivehookError('PLUGIN_FAILED', `plugin "${this.name}" ended before its task finished: ${why}`, { plugin: this.name }));
        this.tasks.clear();
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
        if (this.state === 'running' && this.crashes.length >= CRASHES_TO_FAIL) this.setState('failed', message.reason);
        break;
      case 'task-done': {
        const pending = this.tasks.get(message.id);
        this.tasks.delete(message.id);
        if (message.error) pending?.reject(errorFromData(message.error));
        else pending?.resolve(message.result);
        break;
      }
      default:
        break;
    }
  }

  /** Words for why the worker ended. */
  private exitReason(code: number): string {
    if (this.killedBecause) return `was terminated: ${this.killedBecause}`;
    const err = this.lastError as (Error & { code?: string }) | null;
    if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') return `ran out of memory (heap limit ${this.plan.settings.heapMb} MB, "heapMb" in ${this.plan.settings.file})`;
    if (err) return `crashed: ${describeError(err)}`;
    return `exited with code ${code} (process.exit in the plugin?)`;
  }

  private async onCrash(why: string): Promise<void> {
    const reason = `its isolate ${why}`;
    this.noteCrash(reason);
    await this.failInFlight(reason);
    this.setState(this.crashes.length >= CRASHES_TO_FAIL ? 'failed' : 'restarting', reason);
    this.scheduleRestart();
  }

  /** Counts a crash (metrics, the `failed` window) and says so in the log. */
  private noteCrash(reason: string): void {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    this.crashes.push(now);
    this.restarts += 1;
    this.deps.observers.restarted(this.name);
    this.logger.error({ hook: 'isolate', restarts: this.restarts }, `plugin "${this.name}": ${reason}; the service goes on, and the plugin is restarted`);
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => {
      this.crashes = [];
      if (this.worker) this.setState('running', null);
    }, HEALTHY_AFTER_MS);
    this.healthyTimer.unref();
  }

  /** Every delivery the dead worker had started is a failed attempt: retried with backoff, then dead. */
  private async failInFlight(reason: string): Promise<void> {
    const inFlight = this.board.inFlight();
    this.board.clearSlots();
    const store = this.deps.store;
    if (!store) return;
    const policy = this.retry;
    for (const delivery of inFlight) {
      const dead = delivery.attempt >= policy.maxAttempts;
      const nextAttemptAt = dead ? null : Date.now() + retryDelay(delivery.attempt, policy);
      const error = `plugin "${this.name}" failed in handle: ${reason}`;
      try {
        await store.recordFailure({ plugin: this.name, eventSeq: delivery.seq, attempts: delivery.attempt, nextAttemptAt, error });
        this.deps.observers.attempt(this.name, dead ? 'dead' : 'retry', Date.now() - delivery.startedAt);
        const log = { hook: 'handle', seq: delivery.seq, attempt: delivery.attempt, error };
        if (dead) this.logger.error(log, `plugin failed ${delivery.attempt} times: delivery is dead (livehook replay re-runs it)`);
        else this.logger.warn({ ...log, retryAt: new Date(nextAttemptAt!).toISOString() }, 'plugin failed: delivery will be retried');
      } catch (err) {
        // The event is still after the plugin's cursor: the restarted isolate delivers it again.
        this.logger.error({ hook: 'handle', err, seq: delivery.seq }, `could not record the failed delivery of seq ${delivery.seq}; it will be delivered again`);
      }
    }
  }

  private scheduleRestart(): void {
    const delay = Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** Math.min(this.crashes.length - 1, 20));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn().then(
        () => {
          this.logger.info({ restarts: this.restarts }, `plugin "${this.name}" restarted`);
          // A `failed` plugin stays so until it has run a whole window without a crash (noteCrash's timer).
          if (this.crashes.length < CRASHES_TO_FAIL) this.setState('running', null);
        },
        (err: unknown) => {
          if (this.stopping) return;
          const reason = describeError(err);
          this.logger.error({ hook: 'init' }, `plugin "${this.name}" could not be restarted: ${reason}`);
          this.crashes.push(Date.now());
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

