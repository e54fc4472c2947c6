/**
 * Room records are what a day's report is built from, one per destroyed
 * room (and one per decided gift): kept forever they would grow without end
 * (a million rooms a day is a few hundred MB). After each daily run the
 * rooms and gifts of days older than `keepDays` are deleted; the reports
 * stay.
 *
 * A day whose rooms are gone must never be rebuilt (from nothing, or from a
 * late room or two): that would replace its report with a wrong one. So the
 * limit is recorded before anything is deleted, and isPruned() asks it; a
 * crash between the two leaves the limit set and the day protected.
 */
import type { PluginRecords } from 'livehook';
import { type ZoneCalendar, addDays } from './calendar';
import { GIFTS, PRUNED, ROOMS, STALE } from './collections';

const KEY = 'rooms';

export class RoomRetention {
  constructor(
    private readonly records: PluginRecords,
    private readonly calendar: ZoneCalendar,
    private readonly keepDays: number,
  ) {}

  /** Deletes the rooms, gifts and stale marks of days before today - keepDays; resolves with how many rooms and gifts went. */
  async prune(now: number): Promise<{ before: string; rooms: number; gifts: number }> {
    const firstKept = addDays(this.calendar.dateOf(now), -this.keepDays);
    const before = this.calendar.dayRange(firstKept).from;
    if (before > (await this.prunedBefore())) await this.records.put(PRUNED, KEY, before, { before, firstKeptDay: firstKept });
    const rooms = await this.records.deleteBefore(ROOMS, before);
    // Decided gifts, one record each, are what the day's gift counts are built from: they go with the rooms.
    const gifts = await this.records.deleteBefore(GIFTS, before);
    await this.records.deleteBefore(STALE, before);
    return { before: firstKept, rooms, gifts };
  }

  /** True when the day's rooms may have been deleted: it cannot be rebuilt. */
  async isPruned(day: string): Promise<boolean> {
    return this.calendar.dayRange(day).from < (await this.prunedBefore());
  }

  private async prunedBefore(): Promise<number> {
    return (await this.records.get<{ before: number }>(PRUNED, KEY))?.value.before ?? Number.MIN_SAFE_INTEGER;
  }
}
