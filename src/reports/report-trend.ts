/**
 * The figures of GET /reports' trend: for each calendar day of the last 30
 * that have reports (fewer when fewer are kept), the rooms closed, the gift
 * coins and the share closed by the system, read from each day's report.
 * A day without a report (or with one this version cannot read) is a gap,
 * not a zero: nothing was measured that day.
 */
import type { Reports } from '../pipeline/capability-types';
import { addDays } from '../util/calendar-days';

export const TREND_DAYS = 30;

export interface TrendDay {
  date: string;
  /** Null: no readable report of that day. */
  figures: { destroyed: number; giftCoins: number; systemShare: number | null } | null;
}

/** `dates`: the days that have a report, newest first (Reports.list()). */
export async function readTrend(reports: Reports, dates: readonly string[]): Promise<TrendDay[]> {
  if (dates.length === 0) return [];
  const newest = dates[0];
  const oldest = dates[dates.length - 1];
  const from = [oldest, addDays(newest, -(TREND_DAYS - 1))].sort()[1];
  const have = new Set(dates);
  const days: TrendDay[] = [];
  for (let date = from; date <= newest; date = addDays(date, 1)) {
    days.push({ date, figures: have.has(date) ? figuresOf(await reports.readJson(date)) : null });
  }
  return days;
}

function figuresOf(json: unknown): TrendDay['figures'] {
  const r = json as { rooms?: { destroyed?: unknown; closedBySystemShare?: unknown }; totals?: { TotalGiftCoins?: unknown } } | null;
  const destroyed = r?.rooms?.destroyed;
  const giftCoins = r?.totals?.TotalGiftCoins;
  if (!isCount(destroyed) || !isCount(giftCoins)) return null;
  const share = r?.rooms?.closedBySystemShare;
  return { destroyed, giftCoins, systemShare: typeof share === 'number' && share >= 0 && share <= 1 ? share : null };
}

/**
 * A figure the chart can scale to. Any plugin granted `reports` (or a hand
 * edit of a report file) can store any number: a negative one drew bars
 * upside down, and one near Number.MAX_VALUE overflowed the axis to
 * Infinity and hung the page (and the service with it). A day with such a
 * figure is a gap, as an unreadable report is.
 */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}
