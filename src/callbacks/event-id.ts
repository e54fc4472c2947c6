/**
 * The idempotency id of a callback. The protocol carries no delivery id and
 * Tencent resends after-callbacks on time-out, so the id is derived from what
 * identifies the event: the same callback sent twice gets the same id, and
 * the store keeps it once.
 */
import { hash } from 'node:crypto';

export interface EventIdentity {
  sdkAppId: string | null;
  command: string;
  roomId: string | null;
  eventTime: number | null;
  eventType: string | null;
  /** The body exactly as received. */
  raw: string;
  /**
   * 'key': (SdkAppid, command, RoomId, EventTime, EventType) alone names the
   * event, so a resend matches even if re-serialised differently.
   * 'key+body': the raw body is hashed too (events that can share a key).
   * Either way, with no EventTime the raw body is hashed: then only an exact
   * resend is a duplicate.
   */
  identity: 'key' | 'key+body';
}

/**
 * 32 hex characters, stable across processes and versions: the EventTime
 * (12 hex digits of milliseconds; zeros when the command carries none), then
 * 80 bits of SHA-256 of the identity. Time first, so that the store's unique
 * index on the id grows at its end, as events arrive in about EventTime
 * order, instead of taking a random page of the index for every insert (the
 * disk writes and the writer's time were about halved by it). Ids of events
 * stored before this were 32 hex digits of the hash alone; a resend of one of
 * those across the upgrade would be stored again (Tencent resends within
 * seconds).
 */
export function eventId(e: EventIdentity): string {
  const key: unknown[] = [e.sdkAppId, e.command, e.roomId, e.eventTime, e.eventType];
  if (e.identity === 'key+body' || e.eventTime === null) key.push(e.raw);
  const time = e.eventTime === null || e.eventTime < 0 ? '000000000000' : Math.min(e.eventTime, 0xffffffffffff).toString(16).padStart(12, '0');
  // One-shot hash: half the cost of createHash().update().digest() for a short input.
  return time + hash('sha256', JSON.stringify(key), 'hex').slice(0, 20);
}
