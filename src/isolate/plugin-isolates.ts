/**
 * Every enabled plugin's isolate, seen from the ingest thread: started
 * together, stopped together, added and removed by a config reload, watched
 * for stalls, and asked (through shared memory, never a message) how far
 * behind the slowest one is, for backpressure.
 */
import type { Logger } from 'pino';
import { LivehookError, describeError, isLivehookError } from '../errors';
import type { IngestSink } from '../pipeline/ingest';
import type { EnabledPlan } from '../pipeline/plan-plugins';
import type { Store } from '../store/store';
import { BacklogLedger } from './backlog-ledger';
import { PluginIsolate, type IsolateDeps } from './plugin-isolate';
import { LogHead } from './shared-state';

const WATCHDOG_MS = 250;

export type IsolatesDeps = Omit<IsolateDeps, 'head' | 'store'> & { store: Store };

export class PluginIsolates implements IngestSink {
  readonly head = LogHead.create();
  private isolates: PluginIsolate[] = [];
  private readonly ledger = new BacklogLedger();
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly deps: IsolatesDeps) {
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const isolate of this.isolates) isolate.watch(now);
    }, WATCHDOG_MS);
    this.watchdog.unref();
  }

  get store(): Store {
    return this.deps.store;
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  /**
   * Starts the plugins: each loads in its own thread in parallel, and runs
   * init in config order, once the one before it has started. A plugin that
   * cannot be loaded or configured stops the start (the others are stopped
   * and its error, naming it, is thrown): that is a mistake to fix, not to
   * wait out. One whose init fails (its server is down, say) does not: the
   * service takes callbacks and stores them, the plugin shows as `failed`
   * with the reason and is started again with backoff, and then delivers
   * what it missed. Refusing to start would refuse Tencent's callbacks too.
   */
  async startAll(plans: readonly EnabledPlan[], latestSeq: number): Promise<void> {
    this.head.publish(latestSeq);
    const started = plans.map((plan) => this.create(plan));
    let before: Promise<unknown> = Promise.resolve();
    const starting = started.map((isolate) => {
      const done = isolate.start(before);
      before = done.catch(() => undefined);
      return done;
    });
    const outcomes = await Promise.allSettled(starting);
    const refusal = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected' && !failedInInit(o.reason));
    if (refusal) {
      await this.stop(0);
      throw refusal.reason;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') this.retryLater(started[i]!, outcome.reason);
    });
  }

  /**
   * Starts one more plugin (a config reload switched it on). Rejects, leaving
   * it listed as failed, when it cannot start; one that failed in init is
   * started again with backoff.
   */
  async add(plan: EnabledPlan): Promise<PluginIsolate> {
    const isolate = this.create(plan);
    try {
      await isolate.start();
    } catch (err) {
      if (failedInInit(err)) isolate.retryStart();
      throw err;
    }
    return isolate;
  }

  private retryLater(isolate: PluginIsolate, err: unknown): void {
    this.deps.logger.error({ plugin: isolate.name, hook: 'init', err }, `plugin "${isolate.name}" could not start: ${describeError(err)}; livehook takes callbacks meanwhile, and starts the plugin again with backoff`);
    isolate.retryStart();
  }

  /** Stops a plugin and forgets it (its cursor stays in the store). */
  async remove(name: string, graceMs: number): Promise<void> {
    const isolate = this.get(name);
    if (!isolate) return;
    this.isolates = this.isolates.filter((i) => i !== isolate);
    await isolate.stop(graceMs);
    this.deps.logger.info({ plugin: name }, 'plugin stopped');
  }

  /** Puts the plugins in this order (config order; names not listed keep their place at the end). */
  reorder(names: readonly string[]): void {
    const rank = (n: string): number => (names.includes(n) ? names.indexOf(n) : names.length);
    this.isolates.sort((a, b) => rank(a.name) - rank(b.name));
  }

  get(name: string): PluginIsolate | undefined {
    return this.isolates.find((i) => i.name === name);
  }

  list(): readonly PluginIsolate[] {
    return this.isolates;
  }

  pluginNames(): string[] {
    return this.isolates.map((i) => i.name);
  }

  async runTask(plugin: string, task: string, args: Record<string, string>): Promise<string | void> {
    const isolate = this.get(plugin);
    if (!isolate) throw new LivehookError('USAGE', `plugin "${plugin}" is not enabled, so it cannot run task "${task}" (see \`livehook plugins\`)`);
    return isolate.runTask(task, args);
  }

  // --- IngestSink ---------------------------------------------------------------

  onStored(seq: number, bytes: number): void {
    this.ledger.add(seq, bytes);
    this.head.publish(seq);
  }

  backlog(): number {
    const cursor = this.minCursor();
    return cursor === null ? 0 : Math.max(0, this.head.seq - cursor);
  }

  backlogBytes(): number {
    return this.ledger.bytesAfter(this.minCursor() ?? this.head.seq);
  }

  // ---------------------------------------------------------------------------------

  /** Each plugin's cursor and the newest seq stored here (the pending-deliveries gauge). */
  positions(): { lastSeq: number; cursors: Array<{ plugin: string; cursor: number }> } {
    // A plugin failing to start counts too: its backlog grows while it waits.
    return { lastSeq: this.head.seq, cursors: this.isolates.filter((i) => i.board.started || i.board.cursorKnown).map((i) => ({ plugin: i.name, cursor: i.board.cursor })) };
  }

  /** Caught up with the log, nothing running, no retry due now (tests, the bench). */
  async isIdle(): Promise<boolean> {
    for (const isolate of this.isolates) {
      const { board } = isolate;
      if (isolate.state !== 'running' || !board.started || board.busy || board.cursor < this.head.seq || board.inFlight().length > 0 || !isolate.metricsCaughtUp) return false;
      if ((await this.deps.store.dueRetries(isolate.name, Date.now(), 1)).length > 0) return false;
    }
    return true;
  }

  /** Null when every plugin is delivering, else why not (readiness). */
  notReady(): string | null {
    const failed = this.isolates.filter((i) => i.state === 'failed');
    if (failed.length > 0) return `plugin failed: ${failed.map((i) => `${i.name} (${i.reason ?? 'no reason given'})`).join('; ')}`;
    const starting = this.isolates.filter((i) => i.state === 'starting' || !i.board.started);
    if (starting.length > 0) return `plugins not delivering yet: ${starting.map((i) => i.name).join(', ')}`;
    return null;
  }

  /** Lets running deliveries finish within graceMs, then ends every isolate. */
  async stop(graceMs: number): Promise<void> {
    clearInterval(this.watchdog);
    const all = this.isolates;
    this.isolates = [];
    await Promise.all(all.map((i) => i.stop(graceMs)));
  }

  private create(plan: EnabledPlan): PluginIsolate {
    const isolate = new PluginIsolate(plan, 'serve', { ...this.deps, head: this.head });
    this.isolates.push(isolate);
    return isolate;
  }

  private minCursor(): number | null {
    let min: number | null = null;
    for (const isolate of this.isolates) {
      if (!isolate.board.started) continue;
      const cursor = isolate.board.cursor;
      if (min === null || cursor < min) min = cursor;
    }
    return min;
  }
}

/** Its init threw, or its isolate ended while starting: a failure of the moment, not of the configuration. */
function failedInInit(err: unknown): boolean {
  return isLivehookError(err) && err.code === 'PLUGIN_FAILED' && err.details.hook === 'init';
}
