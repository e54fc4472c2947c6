/**
 * The plugin's durable memory, kept in its `store` records so that it
 * survives a restart or a crash:
 *
 *   alerts           one record per event (key = the delivery's idempotency
 *                    key): mailed on its own or held for a digest, and whether
 *                    the mail went out. A redelivered event finds it and sends
 *                    nothing more.
 *   windows          one per storm window: when it opened and closes, and how
 *                    many single alerts it has had.
 *   pending-digests  windows that hold rooms for a digest not yet sent. A room
 *                    is only recorded for a digest after its window is listed
 *                    here, so after any crash every held room has a digest due.
 *   digests          what each sent digest held (for the record).
 *   sending          a digest being sent right now, by whichever instance
 *                    claimed it (store.claim): with several instances on one
 *                    database each one's timer finds the same due digest,
 *                    and only the claimant sends it.
 *
 * Alerts and digests older than the option keepDays are deleted once a day
 * (forgetBefore); windows go a day after they close.
 *
 * A window opens with the first alert after the previous one closed and lasts
 * windowMinutes. Its first maxAlerts rooms get a mail each; every later room
 * goes into the window's digest, sent once the window is over.
 */
import { randomUUID } from 'node:crypto';
import type { PluginRecords } from 'livehook';
import type { RoomFacts } from './room-facts';

const ALERTS = 'alerts';
const WINDOWS = 'windows';
const PENDING = 'pending-digests';
const DIGESTS = 'digests';
const SENDING = 'sending';
/**
 * A claim older than this is taken to be left by an instance that died
 * mid-send, and may be taken over. Well above a send's SMTP time-outs.
 */
const SENDING_CLAIM_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AlertRecord {
  kind: 'single' | 'digest';
  windowStart: number;
  /** When the single mail went out; null until then (and for digest rooms). */
  sentAt: number | null;
  messageId: string | null;
  room: RoomFacts;
}

export interface StormWindow {
  start: number;
  end: number;
  singles: number;
}

export interface PendingDigest {
  start: number;
  end: number;
}

export interface StormLimits {
  maxAlerts: number;
  windowMs: number;
}

export class StormLedger {
  /** Who holds this ledger's digest claims: one per process, so each instance is its own claimant. */
  private readonly owner = `email-alert:${randomUUID()}`;

  constructor(
    private readonly records: PluginRecords,
    readonly limits: StormLimits,
  ) {}

  async find(key: string): Promise<AlertRecord | null> {
    return (await this.records.get<AlertRecord>(ALERTS, key))?.value ?? null;
  }

  /**
   * Decide how this room is announced, and record it. The caller runs
   * decisions one at a time (and not while a digest is being gathered).
   */
  async decide(key: string, room: RoomFacts, now: number): Promise<AlertRecord> {
    const window = await this.currentWindow(now);
    if (window.singles < this.limits.maxAlerts) {
      // Count first: a crash between the two writes costs one mail, it never adds one.
      await this.records.put(WINDOWS, String(window.start), window.start, { ...window, singles: window.singles + 1 });
      return this.put(key, now, { kind: 'single', windowStart: window.start, sentAt: null, messageId: null, room });
    }
    await this.records.put(WINDOWS, String(window.start), window.start, window);
    await this.records.put(PENDING, String(window.start), window.start, { start: window.start, end: window.end } satisfies PendingDigest);
    return this.put(key, now, { kind: 'digest', windowStart: window.start, sentAt: null, messageId: null, room });
  }

  async markSent(key: string, record: AlertRecord, messageId: string, now: number): Promise<void> {
    const stored = await this.records.get<AlertRecord>(ALERTS, key);
    await this.records.put(ALERTS, key, stored?.at ?? now, { ...record, sentAt: now, messageId });
  }

  /**
   * Digests whose window ended at least `graceMs` ago and that have not been
   * sent. The grace lets a decision made just before the end (on another
   * instance, which holds the plugin's deliveries) be written before the
   * digest's rooms are read.
   */
  async dueDigests(now: number, graceMs: number): Promise<PendingDigest[]> {
    const due: PendingDigest[] = [];
    for await (const { value } of this.records.scan<PendingDigest>(PENDING, 0, now + 1)) if (value.end + graceMs <= now) due.push(value);
    return due;
  }

  /** Every room held for this window's digest, in the order they came. */
  async digestRooms(digest: PendingDigest): Promise<RoomFacts[]> {
    const rooms: RoomFacts[] = [];
    for await (const { value } of this.records.scan<AlertRecord>(ALERTS, digest.start, digest.end)) {
      if (value.kind === 'digest' && value.windowStart === digest.start) rooms.push(value.room);
    }
    return rooms;
  }

  async digestSent(digest: PendingDigest, rooms: RoomFacts[], messageId: string | null, now: number): Promise<void> {
    await this.records.put(DIGESTS, String(digest.start), digest.start, { ...digest, sentAt: now, messageId, rooms: rooms.map((r) => r.roomId) });
    await this.records.delete(PENDING, String(digest.start));
    await this.releaseDigest(digest);
  }

  /**
   * True when this caller may send the digest now: no other instance is
   * sending it. Of several instances asking at once exactly one gets true; a
   * claim left by an instance that died mid-send is taken over after
   * SENDING_CLAIM_MS.
   */
  async claimDigest(digest: PendingDigest): Promise<boolean> {
    return this.records.claim(SENDING, String(digest.start), Date.now(), this.owner, SENDING_CLAIM_MS);
  }

  async isPending(digest: PendingDigest): Promise<boolean> {
    return (await this.records.get(PENDING, String(digest.start))) !== null;
  }

  /** Gives the claim back: sent, or failed and to be tried again (by any instance). */
  async releaseDigest(digest: PendingDigest): Promise<void> {
    await this.records.release(SENDING, String(digest.start), this.owner);
  }

  /**
   * Deletes alert and digest records from before `before`: the records that
   * make a redelivery send nothing are needed only while the service can
   * still redeliver the event (its retention). Alerts held for a digest not
   * sent yet are kept whatever their age.
   */
  async forgetBefore(before: number): Promise<{ alerts: number; digests: number }> {
    let keepFrom = before;
    for await (const { value } of this.records.scan<PendingDigest>(PENDING, 0, Number.MAX_SAFE_INTEGER)) keepFrom = Math.min(keepFrom, value.start);
    await this.records.deleteBefore(SENDING, before); // claims left by instances that died, long expired
    return { alerts: await this.records.deleteBefore(ALERTS, keepFrom), digests: await this.records.deleteBefore(DIGESTS, before) };
  }

  /** The open window, or a new one opening now (old window records are dropped then). */
  private async currentWindow(now: number): Promise<StormWindow> {
    for await (const { value } of this.records.scan<StormWindow>(WINDOWS, now - this.limits.windowMs, now + 1)) {
      if (value.start <= now && now < value.end) return value;
    }
    const stale: string[] = [];
    for await (const { key } of this.records.scan(WINDOWS, 0, now - DAY_MS)) stale.push(key);
    for (const key of stale) await this.records.delete(WINDOWS, key);
    return { start: now, end: now + this.limits.windowMs, singles: 0 };
  }

  private async put(key: string, now: number, record: AlertRecord): Promise<AlertRecord> {
    await this.records.put(ALERTS, key, now, record);
    return record;
  }
}
