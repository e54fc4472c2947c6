/**
 * The idempotency id of a callback. The protocol carries no delivery id and
 * Tencent resends after-callbacks on time-out, so the id is derived from what
 * identifies the event: the same callback sent twice gets the same id, and
 * the store keeps it once.
 */
import { createHash } from 'node:crypto';

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

/** 32 hex characters (128 bits of SHA-256): stable across processes and versions. */
export function eventId(e: EventIdentity): string {
  const key: unknown[] = [e.sdkAppId, e.command, e.roomId, e.eventTime, e.eventType];
  if (e.identity === 'key+body' || e.eventTime === null) key.push(e.raw);
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}
