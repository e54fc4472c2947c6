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
 * wins a slot. But `put` also replaces the value for the losers, so the claim
 * record itself names nobody; the winner alone then writes who it is to a
 * second collection (`cron-slot-owners`, `once-owners`, same key), which no
 * loser ever touches. A loser that comes late (the usual case) sees the claim
 * with a read and writes nothing at all.
 *
 * Records, for an operator looking at the database (plugin `scheduler/<plugin>`):
 *   cron-slots        key <job>@<ISO slot>  at = slot time   value true
 *   cron-slot-owners  same key and at                        value { owner, claimedAt }
 *   once              key as given          at = claim time  value true
 *   once-owners       same key and at                        value { owner, claimedAt }
 * Claims written before owners had their own collection hold { owner, claimedAt }
 * themselves; they still count as claims.
 */
import type { PluginRecords, Store } from '../store/store';

/** Collections of the claims: cron slots (pruned) and `once` keys (kept). */
const SLOTS = 'cron-slots';
const ONCE = 'once';
/** Who won each claim: written by the winner only. */
const SLOT_OWNERS = 'cron-slot-owners';
const ONCE_OWNERS = 'once-owners';
/** The value of every claim: the same for all contenders, so a loser's overwrite changes nothing. */
const CLAIMED = true;

/** Slot claims older than this are deleted: no instance fires a slot that late. */
const SLOT_CLAIM_RETENTION_MS = 7 * 24 * 3600_000;
/** Pruning walks old claims; once an hour is plenty. */
const PRUNE_EVERY_MS = 3600_000;

export interface ClaimOwner {
  owner: string;
  claimedAt: number;
}

export class SlotClaims {
  private readonly records: PluginRecords;
  private lastPrune = 0;

  constructor(store: Store, namespace: string, private readonly owner: string) {
    this.records = store.records(`scheduler/${namespace}`);
  }

  /** True when this instance is the first to claim `job` at `slot`. */
  async claimSlot(job: string, slot: Date): Promise<boolean> {
    const won = await this.claim(SLOTS, SLOT_OWNERS, slotKey(job, slot), slot.getTime());
    if (won) await this.pruneOldSlots(slot.getTime());
    return won;
  }

  async claimOnce(key: string): Promise<boolean> {
    return this.claim(ONCE, ONCE_OWNERS, key, Date.now());
  }

  /** Gives a `once` key back (its task failed), so that a later call may run it. */
  async releaseOnce(key: string): Promise<void> {
    // Owner first: once the claim is gone a new winner may write its owner, which must stay.
    await this.records.delete(ONCE_OWNERS, key);
    await this.records.delete(ONCE, key);
  }

  /** Who won a slot, or null when nobody has claimed it (or it was claimed before owners were kept apart). */
  async slotOwner(job: string, slot: Date): Promise<ClaimOwner | null> {
    return (await this.records.get<ClaimOwner>(SLOT_OWNERS, slotKey(job, slot)))?.value ?? null;
  }

  /** Who holds a `once` key, or null. */
  async onceOwner(key: string): Promise<ClaimOwner | null> {
    return (await this.records.get<ClaimOwner>(ONCE_OWNERS, key))?.value ?? null;
  }

  private async claim(claims: string, owners: string, key: string, at: number): Promise<boolean> {
    if ((await this.records.get(claims, key)) !== null) return false;
    // Writers that all passed the read race here; the store lets exactly one see "new".
    if (!(await this.records.put(claims, key, at, CLAIMED))) return false;
    try {
      await this.records.put(owners, key, at, { owner: this.owner, claimedAt: Date.now() } satisfies ClaimOwner);
    } catch (err) {
      // A claim nobody can tell the owner of is given back rather than kept half-made.
      await this.records.delete(claims, key).catch(() => undefined);
      throw err;
    }
    return true;
  }

  private async pruneOldSlots(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const before = now - SLOT_CLAIM_RETENTION_MS;
    for (const collection of [SLOT_OWNERS, SLOTS]) {
      const old: string[] = [];
      for await (const record of this.records.scan(collection, 0, before)) old.push(record.key);
      for (const key of old) await this.records.delete(collection, key);
    }
  }
}

function slotKey(job: string, slot: Date): string {
  return `${job}@${slot.toISOString()}`;
}
