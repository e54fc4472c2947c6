/**
 * One pass over a day's rooms: counts, totals, rooms per local hour and the
 * top lists. Memory stays flat however many rooms the day had, and nothing
 * depends on the order the store returns them in.
 */
import { STAT_NAMES, cameInAt, type Stats, type StoredRoom } from './room-record';
import { TopList } from './top-list';

export interface HourCount {
  destroyed: number;
  bySystem: number;
}

export interface DayTally {
  destroyed: number;
  byEventType: Record<string, number>;
  withStatistic: number;
  withoutStatistic: number;
  /** Sums over the rooms that carried statistics only. */
  totals: Stats;
  /** 24 local hours. */
  perHour: HourCount[];
  topByViewers: TopList;
  topByGiftCoins: TopList;
  /** Rooms received, or recorded by the plugin, after `receivedAfter` (late for an already published report). */
  arrivedLater: number;
}

export interface TallyOptions {
  /** The 25 instants where the local hours begin (ZoneCalendar.hourStarts). */
  hourStarts: readonly number[];
  topRooms: number;
  /** Count rooms that came in (received or recorded) after this instant as late; null: count none. */
  receivedAfter: number | null;
  /** Checked every few thousand rooms: a build stops promptly when the service does. */
  signal?: AbortSignal;
}

export function zeroStats(): Stats {
  return { TotalViewers: 0, TotalGiftsSent: 0, TotalGiftCoins: 0, TotalUniqueGiftSenders: 0, TotalLikesReceived: 0 };
}

export async function tallyDay(rooms: AsyncIterable<StoredRoom>, options: TallyOptions): Promise<DayTally> {
  const tally: DayTally = {
    destroyed: 0,
    byEventType: { DestroyByUser: 0, DestroyBySystem: 0 },
    withStatistic: 0,
    withoutStatistic: 0,
    totals: zeroStats(),
    perHour: Array.from({ length: 24 }, () => ({ destroyed: 0, bySystem: 0 })),
    topByViewers: new TopList('TotalViewers', options.topRooms),
    topByGiftCoins: new TopList('TotalGiftCoins', options.topRooms),
    arrivedLater: 0,
  };
  const { hourStarts, receivedAfter, signal } = options;

  for await (const room of rooms) {
    const r = room.value;
    tally.destroyed++;
    tally.byEventType[r.eventType] = (tally.byEventType[r.eventType] ?? 0) + 1;

    const hour = tally.perHour[hourOf(room.at, hourStarts)];
    hour.destroyed++;
    if (r.eventType === 'DestroyBySystem') hour.bySystem++;

    if (r.statistic) {
      tally.withStatistic++;
      for (const name of STAT_NAMES) tally.totals[name] += r.statistic[name];
      tally.topByViewers.offer(room);
      tally.topByGiftCoins.offer(room);
    } else {
      tally.withoutStatistic++;
    }
    if (receivedAfter !== null && cameInAt(r) > receivedAfter) tally.arrivedLater++;

    if (signal && tally.destroyed % 8192 === 0) signal.throwIfAborted();
  }
  return tally;
}

/** The local hour (0..23) of an instant inside the day: a binary search over the hour starts. */
function hourOf(at: number, starts: readonly number[]): number {
  let lo = 0;
  let hi = 23;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
