/**
 * Builds a day's report from the stored rooms and writes it to the reports
 * folder (JSON and HTML). Used alike by the daily job, the catch-up at start,
 * the rebuild after late rooms, and `livehook report`.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimValue, PluginRecords, Reports } from 'livehook';
import { addDays, type ZoneCalendar } from './calendar';
import { BUILDING, GIFTS, PUBLISHED, ROOMS, STALE } from './collections';
import { assembleReport, summaryOfReport, type DailyReport, type DaySummary } from './daily-report';
import { tallyDay } from './day-tally';
import { countGifts } from './gift-tally';
import { reportPage } from './page/report-page';
import type { RoomRecord } from './room-record';

/**
 * A build claim runs out this long after it was last renewed, so one left
 * by a process that died mid-build is free again within two minutes; the
 * holder renews it every BUILD_CLAIM_RENEW_MS while it builds, however long
 * the day takes.
 */
export const BUILD_CLAIM_TTL_MS = 120_000;
const BUILD_CLAIM_RENEW_MS = 30_000;

export interface BuiltReport {
  report: DailyReport;
  html: string;
}

export class ReportBuilder {
  /** Who holds this process's build claims. */
  private readonly owner = `stats-rollup:${randomUUID()}`;
  /** The claims this process holds, each with its renewal timer. */
  private readonly renewals = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly records: PluginRecords,
    private readonly reports: Reports,
    private readonly calendar: ZoneCalendar,
    private readonly topRooms: number,
  ) {}

  async build(date: string, signal?: AbortSignal): Promise<BuiltReport> {
    const { from, to } = this.calendar.dayRange(date);
    const started = Date.now();
    // While the day's claim is held, a room arriving for this day gets it
    // rebuilt (the handler's revise), so a room stored after the scan below
    // has passed is never lost. Held by another build (the catch-up that
    // called this one, or another process): this build runs all the same,
    // under that claim.
    const claimed = await this.claim(date);
    try {
      await this.records.delete(STALE, date);
      const published = await this.records.get<{ firstGeneratedAt: number }>(PUBLISHED, date);
      // A report built before its day ended (--partial) was not the day's
      // publication: the rooms that came after it are not late ones.
      const earlier = published?.value.firstGeneratedAt;
      const firstGeneratedAt = earlier !== undefined && earlier >= to ? earlier : started;

      const tally = await tallyDay(this.records.scan<RoomRecord>(ROOMS, from, to), {
        hourStarts: this.calendar.hourStarts(date),
        topRooms: this.topRooms,
        receivedAfter: firstGeneratedAt,
        signal,
      });
      const previousDays: Array<{ date: string; summary: DaySummary | null }> = [];
      for (let back = 7; back >= 1; back--) {
        const day = addDays(date, -back);
        previousDays.push({ date: day, summary: await this.summaryOf(day, signal) });
      }

      const gifts = await countGifts(this.records, from, to);
      const report = assembleReport({ date, calendar: this.calendar, tally, gifts, previousDays, firstGeneratedAt, generatedAt: started });
      const html = reportPage(report);
      await this.reports.write(date, { json: report, html });
      if (earlier !== firstGeneratedAt) await this.records.put(PUBLISHED, date, from, { firstGeneratedAt });
      return { report, html };
    } finally {
      if (claimed) await this.release(date);
    }
  }

  /** Claims the day's build for this process, renewed until release(): false while another one holds it. */
  async claim(date: string): Promise<boolean> {
    const won = await this.records.claim(BUILDING, date, this.calendar.dayRange(date).from, this.owner, BUILD_CLAIM_TTL_MS);
    if (won) {
      const timer = setInterval(() => void this.records.renew(BUILDING, date, this.owner, BUILD_CLAIM_TTL_MS).catch(() => undefined), BUILD_CLAIM_RENEW_MS);
      timer.unref();
      this.renewals.set(date, timer);
    }
    return won;
  }

  async release(date: string): Promise<void> {
    clearInterval(this.renewals.get(date));
    this.renewals.delete(date);
    await this.records.release(BUILDING, date, this.owner);
  }

  /** True when at least one room (or decided gift) is stored for the day. */
  async hasRooms(date: string): Promise<boolean> {
    const { from, to } = this.calendar.dayRange(date);
    for await (const _room of this.records.scan(ROOMS, from, to)) return true;
    for await (const _gift of this.records.scan(GIFTS, from, to)) return true;
    return false;
  }

  /** True while some process (this one, another instance, the CLI) holds the day's build claim. */
  async isBeingBuilt(date: string): Promise<boolean> {
    const expiresAt = (await this.records.get<ClaimValue>(BUILDING, date))?.value.expiresAt;
    return typeof expiresAt === 'number' && expiresAt > Date.now();
  }

  /**
   * What a day is compared against: its published report when there is one
   * (cheap), else its stored rooms, else null (no data that day).
   */
  async summaryOf(date: string, signal?: AbortSignal): Promise<DaySummary | null> {
    const fromReport = summaryOfReport(await this.reports.readJson(date).catch(() => null));
    if (fromReport) return fromReport;
    if (!(await this.hasRooms(date))) return null;
    const { from, to } = this.calendar.dayRange(date);
    const tally = await tallyDay(this.records.scan<RoomRecord>(ROOMS, from, to), {
      hourStarts: this.calendar.hourStarts(date),
      topRooms: 1,
      receivedAfter: null,
      signal,
    });
    return { destroyed: tally.destroyed, totals: tally.totals };
  }
}
