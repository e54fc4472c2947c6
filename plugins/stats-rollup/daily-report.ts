/**
 * The report of one day, as written to <data dir>/reports/<date>.json.
 *
 * Built from a DayTally (this day) and the summaries of the seven days
 * before it. Apart from generatedAt, everything here is a function of the
 * stored rooms, so building a day twice gives the same report.
 */
import { localIso, type ZoneCalendar } from './calendar';
import type { DayTally } from './day-tally';
import type { GiftCounts } from './gift-tally';
import { STAT_NAMES, type Stats, type StoredRoom } from './room-record';

export interface TopRoom extends Stats {
  rank: number;
  roomId: string;
  roomName: string | null;
  owner: string | null;
  eventType: string;
  /** Local time, with the zone's offset. */
  closedAt: string;
}

/** How a figure moved against a baseline; changePct is null when the baseline is 0. */
export interface Change {
  baseline: number;
  change: number;
  changePct: number | null;
}

/** The figures a day is compared on: rooms closed and the five totals. */
export type ComparedFigures = { destroyed: Change } & Record<keyof Stats, Change>;

export interface DaySummary {
  destroyed: number;
  totals: Stats;
}

export interface DailyReport {
  date: string;
  timezone: string;
  /** When this build started reading the stored rooms. */
  generatedAt: string;
  /**
   * Built before the day ended (`livehook report --partial`): rooms closed
   * after generatedAt are not in it. The daily job (or the catch-up) builds
   * the day again once it is over.
   */
  partial: boolean;
  /** The day's instants: local midnight to local midnight (23 or 25 hours on DST days). */
  period: { from: string; to: string; hours: number };
  rooms: {
    destroyed: number;
    byEventType: Record<string, number>;
    /** DestroyBySystem / destroyed, 0..1 with 4 decimals; null when no room closed. */
    closedBySystemShare: number | null;
    /** Rooms whose callback carried Statistic: only these are summed in totals. */
    withStatistic: number;
    /** Rooms whose callback carried no Statistic: counted here, never as zeros. */
    withoutStatistic: number;
  };
  totals: Stats;
  /** Rooms closed in each local hour, 00 to 23. */
  roomsPerHour: Array<{ hour: number; label: string; destroyed: number; bySystem: number }>;
  /** Top rooms by TotalViewers (rooms with statistics). */
  topRooms: TopRoom[];
  /** Top rooms by TotalGiftCoins (rooms with statistics). */
  topRoomsByGiftCoins: TopRoom[];
  /** Gifts a deciding plugin (gift-guard) let through or refused that day; absent when none was decided. */
  gifts?: GiftCounts;
  change: {
    /** Against the day before; null when that day has no data. */
    previousDay: ({ date: string } & ComparedFigures) | null;
    /** Against the mean of the 7 days before that have data; null when none has. */
    sevenDayAverage: ({ from: string; to: string; days: number } & ComparedFigures) | null;
  };
  /**
   * A day's report is rebuilt when rooms of that day arrive after it was
   * first published; these say whether that happened and how many rooms came late.
   */
  revision: { firstGeneratedAt: string; revised: boolean; roomsArrivedLater: number };
}

export interface AssembleInput {
  date: string;
  calendar: ZoneCalendar;
  tally: DayTally;
  gifts: GiftCounts | null;
  /** The seven days before `date`, oldest first; null for a day with no data. */
  previousDays: Array<{ date: string; summary: DaySummary | null }>;
  firstGeneratedAt: number;
  generatedAt: number;
}

export function assembleReport(input: AssembleInput): DailyReport {
  const { date, calendar, tally } = input;
  const [from, to] = [calendar.hourStarts(date)[0], calendar.hourStarts(date)[24]];
  const system = tally.byEventType.DestroyBySystem ?? 0;
  const topRoom = (room: StoredRoom, i: number): TopRoom => ({
    rank: i + 1,
    roomId: room.value.roomId,
    roomName: room.value.roomName,
    owner: room.value.owner,
    eventType: room.value.eventType,
    closedAt: localIso(calendar, room.at),
    ...room.value.statistic!,
  });
  return {
    date,
    timezone: calendar.timezone,
    generatedAt: new Date(input.generatedAt).toISOString(),
    partial: input.generatedAt < to,
    period: { from: localIso(calendar, from), to: localIso(calendar, to), hours: (to - from) / 3_600_000 },
    rooms: {
      destroyed: tally.destroyed,
      byEventType: sortedKeys(tally.byEventType),
      closedBySystemShare: tally.destroyed === 0 ? null : round(system / tally.destroyed, 4),
      withStatistic: tally.withStatistic,
      withoutStatistic: tally.withoutStatistic,
    },
    totals: tally.totals,
    roomsPerHour: tally.perHour.map((h, hour) => ({ hour, label: `${String(hour).padStart(2, '0')}:00`, ...h })),
    topRooms: tally.topByViewers.list().map(topRoom),
    topRoomsByGiftCoins: tally.topByGiftCoins.list().map(topRoom),
    ...(input.gifts ? { gifts: input.gifts } : {}),
    change: compare({ destroyed: tally.destroyed, totals: tally.totals }, input.previousDays),
    revision: {
      firstGeneratedAt: new Date(input.firstGeneratedAt).toISOString(),
      revised: tally.arrivedLater > 0,
      roomsArrivedLater: tally.arrivedLater,
    },
  };
}

function compare(today: DaySummary, previousDays: AssembleInput['previousDays']): DailyReport['change'] {
  const yesterday = previousDays[previousDays.length - 1];
  const withData = previousDays.filter((d): d is { date: string; summary: DaySummary } => d.summary !== null);
  const mean = (pick: (s: DaySummary) => number) => withData.reduce((sum, d) => sum + pick(d.summary), 0) / withData.length;
  return {
    previousDay: yesterday?.summary ? { date: yesterday.date, ...figures(today, (pick) => pick(yesterday.summary!)) } : null,
    sevenDayAverage: withData.length === 0 || previousDays.length === 0
      ? null
      : { from: previousDays[0].date, to: previousDays[previousDays.length - 1].date, days: withData.length, ...figures(today, mean) },
  };
}

function figures(today: DaySummary, baselineOf: (pick: (s: DaySummary) => number) => number): ComparedFigures {
  const out = { destroyed: change(today.destroyed, baselineOf((s) => s.destroyed)) } as ComparedFigures;
  for (const name of STAT_NAMES) out[name] = change(today.totals[name], baselineOf((s) => s.totals[name]));
  return out;
}

function change(value: number, baseline: number): Change {
  return {
    baseline: round(baseline, 2),
    change: round(value - baseline, 2),
    changePct: baseline === 0 ? null : round(((value - baseline) / baseline) * 100, 1),
  };
}

function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/** DestroyByUser and DestroyBySystem first, then any new event type Tencent adds, by name. */
function sortedKeys(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { DestroyByUser: counts.DestroyByUser ?? 0, DestroyBySystem: counts.DestroyBySystem ?? 0 };
  for (const key of Object.keys(counts).sort()) if (!(key in out)) out[key] = counts[key];
  return out;
}

/** The part of a report the next days compare against (also read back from older reports). */
export function summaryOfReport(json: unknown): DaySummary | null {
  const r = json as Partial<DailyReport> | null;
  if (!r || typeof r.rooms?.destroyed !== 'number' || !r.totals) return null;
  for (const name of STAT_NAMES) if (typeof r.totals[name] !== 'number') return null;
  return { destroyed: r.rooms.destroyed, totals: r.totals };
}
