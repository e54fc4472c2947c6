/**
 * Unique claims in the store: "whoever writes this key first runs it".
 *
 * Several instances on one database each fire the same cron slot; the first
 * to claim `<job>@<slot time>` runs it and the others skip it. The claims live
 * among the plugin records under a name no plugin can have (`scheduler/<plugin>`,
 * a slash cannot appear in a folder name), so a plugin never sees them and two
 * plugins with a job of the same name never collide.
 *
 * `put` resolves true only for the writer that created the key: the engines
 * do it as one atomic statement (SQLite serialises writers, PostgreSQL's
 * INSERT ... ON CONFLICT decides in the index), so of N instances exactly one
 * wins a slot.
 */
import type { PluginRecords, Store } from '../store/store';

/** Collections of the claims: cron slots (pruned) and `once` keys (kept). */
const SLOTS = 'cron-slots';
const ONCE = 'once';

/** Slot claims older than this are deleted: no instance fires a slot that late. */
const SLOT_CLAIM_RETENTION_MS = 7 * 24 * 3600_000;
/** Pruning walks old claims; once an hour is plenty. */
const PRUNE_EVERY_MS = 3600_000;

export class SlotClaims {
  private readonly records: PluginRecords;
  private lastPrune = 0;

  constructor(store: Store, namespace: string, private readonly owner: string) {
    this.records = store.records(`scheduler/${namespace}`);
  }

  /** True when this instance is the first to claim `job` at `slot`. */
  async claimSlot(job: string, slot: Date): Promise<boolean> {
    const key = `${job}@${slot.toISOString()}`;
    const won = await this.records.put(SLOTS, key, slot.getTime(), { owner: this.owner, claimedAt: Date.now() });
    if (won) await this.pruneOldSlots(slot.getTime());
    return won;
  }

  async claimOnce(key: string): Promise<boolean> {
    return this.records.put(ONCE, key, Date.now(), { owner: this.owner, claimedAt: Date.now() });
  }

  /** Gives a `once` key back (its task failed), so that a later call may run it. */
  async releaseOnce(key: string): Promise<void> {
    await this.records.delete(ONCE, key);
  }

  private async pruneOldSlots(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const old: string[] = [];
    for await (const claim of this.records.scan(SLOTS, 0, now - SLOT_CLAIM_RETENTION_MS)) old.push(claim.key);
    for (const key of old) await this.records.delete(SLOTS, key);
  }
}
