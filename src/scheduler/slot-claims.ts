/**
 * Unique claims in the store: "whoever claims this key first runs it".
 *
 * Several instances on one database each fire the same cron slot; the first
 * to claim `<job>@<slot time>` runs it and the others skip it. A slot's claim
 * holds for a while (`holdMs`, delivery.leaseMs) and its holder renews it as
 * the run goes; a finished run marks the slot done. So when the holder dies
 * mid-run (SIGKILL, a lost machine) its claim runs out and an instance that
 * watched the slot takes it over (CronScheduler), and a slot marked done is
 * never run again, whatever the clocks say. `once` keys are claimed for good.
 * The claims live among the plugin records under a name no plugin can have
 * (`scheduler/<plugin>`, a slash cannot appear in a folder name), so a plugin
 * never sees them and two plugins with a job of the same name never collide.
 *
 * Records, for an operator looking at the database (plugin `scheduler/<plugin>`):
 *   cron-slots  key <job>@<ISO slot>  at = slot time   value { owner, claimedAt, expiresAt }
 *   cron-done   key <job>@<ISO slot>  at = slot time   value { owner, doneAt }
 *   once        key as given          at = claim time  value { owner, claimedAt, expiresAt: null }
 * Claims written by older versions hold `true`, { owner, claimedAt } or
 * expiresAt null: held for good, and taken as done. Their owners were kept in
 * `cron-slot-owners` and `once-owners`, which are no longer read.
 */
import type { ClaimValue, PluginRecords, Store } from '../store/store';

/** Collections of the claims: cron slots and their done marks (pruned), `once` keys (kept). */
const SLOTS = 'cron-slots';
const DONE = 'cron-done';
const ONCE = 'once';
/** Where older versions kept a slot's owner: pruned with the slots until the last of them is gone. */
const OLD_SLOT_OWNERS = 'cron-slot-owners';

/** Slot claims older than this are deleted: no instance fires a slot that late. */
const SLOT_CLAIM_RETENTION_MS = 7 * 24 * 3600_000;
/** Pruning walks old claims; once an hour is plenty. */
const PRUNE_EVERY_MS = 3600_000;

export type ClaimOwner = Pick<ClaimValue, 'owner' | 'claimedAt'>;

/** A claim attempt on a slot: this instance's now, held by another, or already run to its end. */
export type SlotClaim = 'won' | 'held' | 'done';

export class SlotClaims {
  private readonly records: PluginRecords;
  private lastPrune = 0;

  constructor(store: Store, namespace: string, private readonly owner: string) {
    this.records = store.records(`scheduler/${namespace}`);
  }

  /**
   * Claims `job` at `slot` for `holdMs` (renew it with renewSlot while the run
   * goes): 'won' when the slot is free, or its holder stopped renewing before
   * it was done; 'held' while another holds it; 'done' when it was run to its
   * end (an instance whose clock is late fires it after its claim ran out).
   */
  async claimSlot(job: string, slot: Date, holdMs: number): Promise<SlotClaim> {
    const key = slotKey(job, slot);
    if (!(await this.records.claim(SLOTS, key, slot.getTime(), this.owner, holdMs))) return 'held';
    // A claim runs out after its run is marked done: the mark is what says so.
    if (await this.records.get(DONE, key)) {
      await this.records.release(SLOTS, key, this.owner);
      return 'done';
    }
    await this.pruneOldSlots(slot.getTime());
    return 'won';
  }

  /**
   * For a slot another instance claimed, looked at again: 'done', 'held'
   * (its holder still renews it, or it is held for good by an older version,
   * which marks nothing done: 'done' then too), or 'won' (its holder died
   * mid-run or gave it back at a stop: it is this instance's now).
   */
  async takeOver(job: string, slot: Date, holdMs: number): Promise<SlotClaim> {
    const key = slotKey(job, slot);
    if (await this.records.get(DONE, key)) return 'done';
    const claim = (await this.records.get<Partial<ClaimValue> | true>(SLOTS, key))?.value;
    if (claim !== undefined && (claim === true || claim.expiresAt === null || claim.expiresAt === undefined)) return 'done';
    return this.claimSlot(job, slot, holdMs);
  }

  /** Keeps this instance's claim on a slot for `holdMs` more: false when it is no longer held (it ran out and another took it). */
  async renewSlot(job: string, slot: Date, holdMs: number): Promise<boolean> {
    return this.records.renew(SLOTS, slotKey(job, slot), this.owner, holdMs);
  }

  /** The run ended (well or not): nobody runs the slot again. */
  async slotDone(job: string, slot: Date): Promise<void> {
    await this.records.put(DONE, slotKey(job, slot), slot.getTime(), { owner: this.owner, doneAt: Date.now() });
  }

  /** Gives a slot back unfinished (this instance is stopping): an instance that watches it runs it. */
  async releaseSlot(job: string, slot: Date): Promise<void> {
    await this.records.release(SLOTS, slotKey(job, slot), this.owner);
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
    for (const collection of [OLD_SLOT_OWNERS, SLOTS, DONE]) await this.records.deleteBefore(collection, before);
  }
}

function slotKey(job: string, slot: Date): string {
  return `${job}@${slot.toISOString()}`;
}
