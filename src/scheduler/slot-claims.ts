/**
 * Unique claims in the store: "whoever claims this key first runs it".
 *
 * Several instances on one database each fire the same cron slot; the first
 * to claim `<job>@<slot time>` runs it and the others skip it. The claims
 * (PluginRecords.claim, never expiring: a slot is run once) live among the
 * plugin records under a name no plugin can have (`scheduler/<plugin>`, a
 * slash cannot appear in a folder name), so a plugin never sees them and two
 * plugins with a job of the same name never collide. Each claim names its
 * winner; a loser writes nothing.
 *
 * Records, for an operator looking at the database (plugin `scheduler/<plugin>`):
 *   cron-slots  key <job>@<ISO slot>  at = slot time   value { owner, claimedAt, expiresAt: null }
 *   once        key as given          at = claim time  value the same
 * Claims written by older versions hold `true` or { owner, claimedAt }: held
 * for good like any record without expiresAt. Their owners were kept in
 * `cron-slot-owners` and `once-owners`, which are no longer read.
 */
import type { ClaimValue, PluginRecords, Store } from '../store/store';

/** Collections of the claims: cron slots (pruned) and `once` keys (kept). */
const SLOTS = 'cron-slots';
const ONCE = 'once';
/** Where older versions kept a slot's owner: pruned with the slots until the last of them is gone. */
const OLD_SLOT_OWNERS = 'cron-slot-owners';

/** Slot claims older than this are deleted: no instance fires a slot that late. */
const SLOT_CLAIM_RETENTION_MS = 7 * 24 * 3600_000;
/** Pruning walks old claims; once an hour is plenty. */
const PRUNE_EVERY_MS = 3600_000;

export type ClaimOwner = Pick<ClaimValue, 'owner' | 'claimedAt'>;

export class SlotClaims {
  private readonly records: PluginRecords;
  private lastPrune = 0;

  constructor(store: Store, namespace: string, private readonly owner: string) {
    this.records = store.records(`scheduler/${namespace}`);
  }

  /** True when this instance is the first to claim `job` at `slot`. */
  async claimSlot(job: string, slot: Date): Promise<boolean> {
    const won = await this.records.claim(SLOTS, slotKey(job, slot), slot.getTime(), this.owner, Infinity);
    if (won) await this.pruneOldSlots(slot.getTime());
    return won;
  }

  async claimOnce(key: string): Promise<boolean> {
    return this.records.claim(ONCE, key, Date.now(), this.owner, Infinity);
  }

  /** Gives a `once` key back (its task failed), so that a later call may run it. */
  async releaseOnce(key: string): Promise<void> {
    await this.records.release(ONCE, key, this.owner);
  }

  /** Who won a slot, or null when nobody has claimed it (or an older version did). */
  async slotOwner(job: string, slot: Date): Promise<ClaimOwner | null> {
    return this.ownerOf(SLOTS, slotKey(job, slot));
  }

  /** Who holds a `once` key, or null. */
  async onceOwner(key: string): Promise<ClaimOwner | null> {
    return this.ownerOf(ONCE, key);
  }

  private async ownerOf(collection: string, key: string): Promise<ClaimOwner | null> {
    const value = (await this.records.get<Partial<ClaimValue>>(collection, key))?.value;
    return typeof value?.owner === 'string' ? { owner: value.owner, claimedAt: Number(value.claimedAt) } : null;
  }

  private async pruneOldSlots(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const before = now - SLOT_CLAIM_RETENTION_MS;
    for (const collection of [OLD_SLOT_OWNERS, SLOTS]) await this.records.deleteBefore(collection, before);
  }
}

function slotKey(job: string, slot: Date): string {
  return `${job}@${slot.toISOString()}`;
}
