/**
 * What the plugin keeps of each destroy-room callback: one small record per
 * event, keyed by the event's idempotency key, so a callback delivered twice
 * is stored (and counted) once.
 */
import type { EventOf, RoomStatistic } from 'livehook';

/** The five lifetime figures Tencent sends in `Statistic`. */
export const STAT_NAMES = ['TotalViewers', 'TotalGiftsSent', 'TotalGiftCoins', 'TotalUniqueGiftSenders', 'TotalLikesReceived'] as const;
export type StatName = (typeof STAT_NAMES)[number];
export type Stats = Record<StatName, number>;

export interface RoomRecord {
  roomId: string;
  roomName: string | null;
  owner: string | null;
  /** DestroyByUser or DestroyBySystem. */
  eventType: string;
  /**
   * The room's statistics, or null when the callback carried no Statistic
   * block: such a room is counted apart in the report, never as zeros.
   */
  statistic: Stats | null;
  /** When livehook received the callback: tells a late room from an on-time one. */
  receivedAt: number;
  /**
   * When this plugin recorded the room. Later than receivedAt when the plugin
   * was behind (switched off, failing, restarting): a room received before
   * the day's report but recorded after it came late to that report all the
   * same. Absent in records written before this field existed.
   */
  recordedAt?: number;
}

/** When the room reached the plugin's records: the later of receipt and recording. */
export function cameInAt(record: RoomRecord): number {
  return Math.max(record.receivedAt, record.recordedAt ?? record.receivedAt);
}

export function roomRecordOf(event: EventOf<'Live.CallbackAfterDestroyRoom'>, recordedAt: number): RoomRecord {
  const body = event.body;
  return {
    roomId: event.roomId ?? body.RoomId,
    roomName: body.RoomInfo?.RoomName ?? null,
    owner: body.RoomInfo?.Owner_Account ?? null,
    eventType: event.eventType ?? body.EventType,
    statistic: body.Statistic ? statsOf(body.Statistic) : null,
    receivedAt: event.receivedAt,
    recordedAt,
  };
}

/** Only the five figures (Tencent may add more; the report sums these). */
function statsOf(statistic: RoomStatistic): Stats {
  const stats = {} as Stats;
  for (const name of STAT_NAMES) stats[name] = Number(statistic[name]) || 0;
  return stats;
}

/** A room as the store returns it: its key (the event's idempotency key), its time, the record. */
export interface StoredRoom {
  key: string;
  /** The room's EventTime (ms): the day and hour it counts in. */
  at: number;
  value: RoomRecord;
}

/** The instant a room belongs to: its EventTime (when it was destroyed). */
export function roomTime(event: EventOf<'Live.CallbackAfterDestroyRoom'>): number {
  return event.eventTime ?? event.body.EventTime ?? event.receivedAt;
}
