/**
 * Runs every enabled plugin's worker over the event log, in config order,
 * and tells ingest how far behind the slowest one is (backpressure).
 */
import type { Logger } from 'pino';
import type { CallbackEvent } from '../callbacks/event';
import type { Store } from '../store/store';
import { EventFeed } from './event-feed';
import type { IngestSink } from './ingest';
import type { ActivePlugin } from './plugin-host';
import { PluginWorker, type WorkerOptions } from './plugin-worker';

export interface DispatcherOptions extends Omit<WorkerOptions, 'onAttempt'> {
  onAttempt?: WorkerOptions['onAttempt'];
  /** Events kept in memory for plugins that keep up. */
  cacheSize: number;
}

export class Dispatcher implements IngestSink {
  private readonly workers: PluginWorker[] = [];
  private readonly feed: EventFeed;
  private lastSeq = 0;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.feed = new EventFeed(store, options.cacheSize);
  }

  async start(plugins: readonly ActivePlugin[]): Promise<void> {
    this.lastSeq = await this.store.latestSeq();
    for (const plugin of plugins) await this.add(plugin);
  }

  /** Start delivering to one more plugin (at start, or when config enables it). */
  async add(plugin: ActivePlugin): Promise<void> {
    const worker = new PluginWorker(plugin, this.store, this.feed, this.logger, this.options);
    this.workers.push(worker);
    await worker.start(this.lastSeq);
  }

  /** Stop delivering to a plugin; its cursor stays where it is. */
  async remove(name: string, graceMs: number): Promise<void> {
    const index = this.workers.findIndex((w) => w.plugin.name === name);
    if (index === -1) return;
    const [worker] = this.workers.splice(index, 1);
    await worker.stop(graceMs);
  }

  /** Offer new events to workers in this order (config order). */
  reorder(names: readonly string[]): void {
    const rank = (n: string): number => (names.includes(n) ? names.indexOf(n) : names.length);
    this.workers.sort((a, b) => rank(a.plugin.name) - rank(b.plugin.name));
  }

  onStored(seq: number, event: CallbackEvent): void {
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.feed.remember(seq, event);
    for (const worker of this.workers) worker.kick();
    this.feed.forgetUpTo(this.minCursor());
  }

  backlog(): number {
    return this.workers.length === 0 ? 0 : this.lastSeq - this.minCursor();
  }

  /** Caught up with the log, nothing running, no retry due now. */
  async isIdle(): Promise<boolean> {
    for (const worker of this.workers) {
      if (worker.isBusy() || worker.cursor < this.lastSeq) return false;
      const due = await this.store.dueRetries(worker.plugin.name, Date.now(), 1);
      if (due.length > 0) return false;
    }
    return true;
  }

  /** Kick every worker now (after `livehook replay` requeued work, for instance). */
  kickAll(): void {
    for (const worker of this.workers) worker.kick();
  }

  /** Let running deliveries finish within graceMs, then stop every worker. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(graceMs)));
    this.workers.length = 0;
    this.logger.debug('dispatcher stopped');
  }

  pluginNames(): string[] {
    return this.workers.map((w) => w.plugin.name);
  }

  /** Each plugin's cursor and the newest seq seen here, read-only (the pending-deliveries gauge). */
  positions(): { lastSeq: number; cursors: Array<{ plugin: string; cursor: number }> } {
    return { lastSeq: this.lastSeq, cursors: this.workers.map((w) => ({ plugin: w.plugin.name, cursor: w.cursor })) };
  }

  private minCursor(): number {
    let min = Infinity;
    for (const worker of this.workers) if (worker.cursor < min) min = worker.cursor;
    return min === Infinity ? this.lastSeq : min;
  }
}
