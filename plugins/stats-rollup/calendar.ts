/**
 * Days and hours in an IANA time zone, with nothing but Intl.
 *
 * A report's day is a local calendar day, so its length is not always 24 h:
 * 23 h when clocks spring forward, 25 h when they fall back, and in a few
 * zones the day does not even start at 00:00 (the clocks jump over
 * midnight). Rather than adding offsets (which breaks on exactly those days),
 * every boundary here is found by asking Intl for the local wall time of an
 * instant and searching for the first instant that reads as the wanted local
 * day and hour. That is exact for any zone and any year Intl knows.
 */
import { addDays } from 'livehook';

/** Day arithmetic on YYYY-MM-DD is the service's ('livehook'); the plugin's files take it from here with the zone's. */
export { addDays, isDate } from 'livehook';

/** Local time differs from UTC by at most 14 h; search a little wider. */
const SEARCH_MARGIN_MS = 15 * 3_600_000;
/** How many days dateOf() keeps the bounds of. */
const RECENT_DAYS = 4;

export class ZoneCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly hourCache = new Map<string, number[]>();
  /**
   * The days dateOf() answered last, with their bounds, newest first. Rooms
   * come in time order, so the next one is almost always one of these; more
   * than one because a handler asks for a room's day and today's in turn
   * (and a late or replayed room is on another day than today).
   */
  private readonly recentDays: Array<{ date: string; from: number; to: number }> = [];

  /** Throws a RangeError naming the zone when Intl does not know it. */
  constructor(readonly timezone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new RangeError(`"${timezone}" is not an IANA time zone (for example "Asia/Shanghai" or "UTC"); check LIVEHOOK_TIMEZONE`);
    }
  }

  /** The local wall-clock reading of an instant. */
  wallClock(t: number): { date: string; hour: number; minute: number; second: number } {
    const p: Record<string, string> = {};
    for (const part of this.format.formatToParts(t)) p[part.type] = part.value;
    return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second) };
  }

  /** The local day (YYYY-MM-DD) an instant falls on. */
  dateOf(t: number): string {
    for (const day of this.recentDays) if (t >= day.from && t < day.to) return day.date;
    // Intl's formatToParts costs microseconds; three calls per day instead of per room.
    const date = this.wallClock(t).date;
    const range = this.dayRange(date);
    // Only a day whose offset holds from start to end: where clocks went back just
    // after midnight (St. John's 2006) the instants of the day are not one interval.
    if (this.offsetMinutes(range.from) === this.offsetMinutes(range.to - 1)) {
      this.recentDays.unshift({ date, ...range });
      if (this.recentDays.length > RECENT_DAYS) this.recentDays.pop();
    }
    return date;
  }

  /** Minutes the zone is ahead of UTC at an instant (+480 for Shanghai). */
  offsetMinutes(t: number): number {
    const w = this.wallClock(t);
    const [y, m, d] = w.date.split('-').map(Number);
    const asUtc = Date.UTC(y, m - 1, d, w.hour, w.minute, w.second);
    return Math.round((asUtc - Math.floor(t / 1000) * 1000) / 60_000);
  }

  /** The instants [from, to) that make up a local day. */
  dayRange(date: string): { from: number; to: number } {
    const hours = this.hourStarts(date);
    return { from: hours[0], to: hours[24] };
  }

  /**
   * 25 instants: where local hours 0..23 of the day begin, then where the
   * next day begins. An hour the clocks skip has zero length (its start equals
   * the next one's); an hour they repeat covers both passes.
   */
  hourStarts(date: string): number[] {
    let starts = this.hourCache.get(date);
    if (!starts) {
      // Days of forged or stray event times must not grow the cache without end.
      if (this.hourCache.size >= 1000) this.hourCache.clear();
      starts = [];
      for (let h = 0; h < 24; h++) starts.push(this.firstInstantAtOrAfter(date, h));
      starts.push(this.firstInstantAtOrAfter(addDays(date, 1), 0));
      this.hourCache.set(date, starts);
    }
    return starts;
  }

  /** The first instant whose local reading is (date, hour) or later. */
  private firstInstantAtOrAfter(date: string, hour: number): number {
    const target = key(date, hour);
    const [y, m, d] = date.split('-').map(Number);
    const wall = Date.UTC(y, m - 1, d, hour);
    let lo = wall - SEARCH_MARGIN_MS; // reads earlier than the target in every zone
    let hi = wall + SEARCH_MARGIN_MS; // reads as the target or later in every zone
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.keyOf(mid) >= target) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  private keyOf(t: number): number {
    const w = this.wallClock(t);
    return key(w.date, w.hour);
  }
}

/** A sortable number for (local date, hour). */
function key(date: string, hour: number): number {
  return Number(date.replaceAll('-', '')) * 100 + hour;
}

/** An instant as local ISO 8601 with its offset, e.g. 2025-09-04T23:59:59.500+08:00. */
export function localIso(calendar: ZoneCalendar, t: number): string {
  const w = calendar.wallClock(t);
  const off = calendar.offsetMinutes(t);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const ms = ((t % 1000) + 1000) % 1000;
  return `${w.date}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(ms, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
