/**
 * Each instance's view of its plugins, kept in the store so that
 * `livehook plugins` (another process, maybe another machine) can say which
 * plugin has failed where and why. Written on every change of state and
 * refreshed every REFRESH_MS; an entry not refreshed for STALE_MS belongs to
 * an instance that is gone, and is ignored, and after FORGET_MS deleted.
 *
 * Records of `livehook:plugins` (a colon cannot appear in a plugin's name),
 * collection `status`, key `<plugin>@<instance>`.
 */
import type { Logger } from 'pino';
import type { PluginRecords, Store } from '../store/store';

export const STATUS_RECORDS = 'livehook:plugins';
const STATUS = 'status';
const REFRESH_MS = 30_000;
export const STALE_MS = 3 * REFRESH_MS;
/** Entries of instances gone this long are deleted (by any instance, at its start and as it refreshes its own). */
export const FORGET_MS = 3_600_000;

export interface PluginStatus {
  plugin: string;
  instance: string;
  state: string;
  reason: string | null;
  restarts: number;
  since: number;
  updatedAt: number;
}

export class PluginStatusBoard {
  private readonly records: PluginRecords;
  private readonly current = new Map<string, PluginStatus>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    store: Store,
    private readonly instance: string,
    private readonly logger: Logger,
  ) {
    this.records = store.records(STATUS_RECORDS);
    this.timer = setInterval(() => {
      for (const status of this.current.values()) this.write(status);
      this.forgetGoneInstances();
    }, REFRESH_MS);
    this.timer.unref();
    this.forgetGoneInstances();
  }

  /** A killed instance never deletes its entries: without this they would pile up, one set per crash. */
  private forgetGoneInstances(): void {
    this.records.deleteBefore(STATUS, Date.now() - FORGET_MS).catch(() => undefined);
  }

  publish(plugin: string, state: string, reason: string | null, restarts: number): void {
    const now = Date.now();
    const before = this.current.get(plugin);
    const status: PluginStatus = { plugin, instance: this.instance, state, reason, restarts, since: before?.state === state ? before.since : now, updatedAt: now };
    this.current.set(plugin, status);
    this.write(status);
  }

  /** The plugin no longer runs here (switched off, or the service stops). */
  async forget(plugin: string): Promise<void> {
    this.current.delete(plugin);
    await this.records.delete(STATUS, `${plugin}@${this.instance}`).catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const plugin of [...this.current.keys()]) await this.forget(plugin);
  }

  private write(status: PluginStatus): void {
    status.updatedAt = Date.now();
    this.records.put(STATUS, `${status.plugin}@${status.instance}`, status.updatedAt, status).catch((err: unknown) => {
      this.logger.warn({ err, plugin: status.plugin }, 'could not record the plugin state in the store (livehook plugins will not show it)');
    });
  }
}

/** Every instance's recent view of its plugins, for `livehook plugins`. */
export async function readPluginStatuses(store: Store, now = Date.now()): Promise<PluginStatus[]> {
  const out: PluginStatus[] = [];
  for await (const record of store.records(STATUS_RECORDS).scan<PluginStatus>(STATUS, now - STALE_MS, Number.MAX_SAFE_INTEGER)) out.push(record.value);
  return out;
}
