/**
 * The stats-rollup handler: keeps each destroyed room's statistics and turns
 * them into daily reports.
 *
 * - handle(): one record per event, keyed by the delivery's idempotency key
 *   (a repeated callback overwrites its own record, so it is counted once).
 * - A daily cron job (option `schedule`) builds the previous day, in the
 *   service's time zone, and mails it when `mailTo` is set.
 * - Before the daily build and the catch-up, the plugin waits until it has
 *   handled the events stored so far (scheduler.caughtUp), so a report holds
 *   every room acknowledged before it was built, whatever the backlog.
 * - At start, and after each daily run, days of the last `catchUpDays` that
 *   have rooms but no report (the service was down at the job's time) are
 *   built, and mailed likewise. With several instances on one database, each
 *   such day's build is claimed first (store.claim, see ReportBuilder.claim):
 *   one instance builds it, the others skip it, log that they did, and
 *   come back to it (the holder may die mid-build: its claim, renewed while
 *   it builds, then runs out within two minutes).
 * - A room that arrives for a day whose report already exists marks that day
 *   stale; after `reviseDelayMs` (gathering a burst of late rooms into one
 *   rebuild) the day is rebuilt and its report says it was revised and how
 *   many rooms came late. A rebuild is not mailed again.
 * - Task 'report' (`livehook report --date D`) rebuilds a day on demand,
 *   unless ./report-task-guard.ts refuses it (future, unfinished, rooms gone,
 *   built in another zone).
 * - After each daily run, the rooms of days older than `keepDays` are
 *   deleted (./room-retention.ts); such a day is never rebuilt.
 *
 * Builds run one at a time: a day with a million rooms takes a few seconds
 * of CPU, and two at once would only slow each other and the event handling.
 */
import type { Delivery, Logger, Mailer, PluginContext, PluginHandler, PluginRecords, Reports, ScheduledRun, Scheduler } from 'livehook';
import { PermanentError, Serial, isCommand, retryDelay, sameTimeZone, type CallbackEvent } from 'livehook';
import { inject, injectable } from 'tsyringe';
import { ZoneCalendar, addDays, isDate } from './calendar';
import { GIFTS, ROOMS, STALE } from './collections';
import { giftRecordOf, giftTime } from './gift-tally';
import type { RollupOptions } from './options';
import { ReportBuilder, type BuiltReport } from './report-builder';
import { reportMail } from './report-mail';
import { plural } from './plural';
import { reportTaskRefusal } from './report-task-guard';
import { roomRecordOf, roomTime } from './room-record';
import { RoomRetention } from './room-retention';

/** Wait this long after start before catching up (which then waits for the backlog of stored events, see caughtUp). */
const CATCH_UP_DELAY_MS = 1_000;
/** How long a build waits for the plugin to handle the events stored before it, before it builds without the rest. */
const BACKLOG_WAIT_MS = 10 * 60_000;
/** A late room's day whose build claim another build holds is tried again after 1 s, 2 s, 4 s... at most a minute (a dead holder's claim runs out within BUILD_CLAIM_TTL_MS). */
const HELD_RETRY = { baseMs: 1_000, capMs: 60_000 };

type BuildReason = 'schedule' | 'catch-up' | 'late rooms' | 'task';

@injectable()
export class StatsRollupHandler implements PluginHandler {
  private readonly calendar: ZoneCalendar;
  private readonly builder: ReportBuilder;
  private readonly retention: RoomRetention;
  /** Aborted at close: pending builds are skipped and a running one stops at its next check. */
  private readonly stopping = new AbortController();
  /** Builds (and room pruning) run one at a time, in order. */
  private readonly builds = new Serial();
  private readonly reviseTimers = new Map<string, NodeJS.Timeout>();
  /** Days whose rebuild found the build claim held, and how many times in a row. */
  private readonly heldRevisions = new Map<string, number>();
  private catchUpTimer: NodeJS.Timeout | null = null;
  private catchingUp = false;
  /** Catch-ups in a row that found a day's build claim held (by a build elsewhere, or one that died). */
  private heldCatchUps = 0;
  /** Cron runs and catch-ups in progress: close() waits for them. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    @inject('options') private readonly options: RollupOptions,
    @inject('context') private readonly context: PluginContext,
    @inject('logger') private readonly logger: Logger,
    @inject('store') private readonly records: PluginRecords,
    @inject('scheduler') private readonly scheduler: Scheduler,
    @inject('reports') private readonly reports: Reports,
    @inject('mailer') private readonly mailer: Mailer,
  ) {
    this.calendar = new ZoneCalendar(context.timezone);
    this.builder = new ReportBuilder(records, reports, this.calendar, options.topRooms);
    this.retention = new RoomRetention(records, this.calendar, options.keepDays);
  }

  init(): void {
    try {
      this.scheduler.schedule('daily-report', this.options.schedule, (run) => this.track(this.buildPreviousDay(run)));
    } catch (err) {
      throw new Error(`option "schedule": ${(err as Error).message}`, { cause: err });
    }
    this.catchUpSoon(CATCH_UP_DELAY_MS);
  }

  private catchUpSoon(delayMs: number): void {
    if (this.catchUpTimer || this.stopping.signal.aborted) return;
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = null;
      void this.track(this.catchUp()).catch((err) => this.logger.error({ err }, `catch-up of missed reports failed: ${(err as Error).message}`));
    }, delayMs);
    this.catchUpTimer.unref();
  }

  async handle(event: CallbackEvent, delivery: Delivery): Promise<void> {
    let at: number;
    let isNew: boolean;
    if (isCommand(event, 'Live.CallbackAfterDestroyRoom')) {
      at = roomTime(event);
      // The record's key is the event's idempotency key, which starts with its
      // EventTime: rooms are appended at the end of the table, not scattered.
      isNew = await this.records.put(ROOMS, delivery.idempotencyKey, at, roomRecordOf(event, Date.now()));
    } else {
      const gift = giftRecordOf(event);
      if (gift === null) return;
      at = giftTime(event);
      isNew = await this.records.put(GIFTS, delivery.idempotencyKey, at, gift);
    }
    // Seen before: nothing new to count, unless an earlier attempt stopped
    // between storing the room and marking its day.
    if (!isNew && delivery.attempt === 1) return;

    // No store read per event: a room of today (in the zone) is never late,
    // since today's report is built after today ends. A room of an earlier
    // day may be: its day is marked stale (one write, and only for such
    // rooms), and reviseSoon decides, once per burst, whether there is a
    // report to rebuild. The mark is written after the room, so a build that
    // starts later sees the room, and one that started before leaves the mark.
    const day = this.calendar.dateOf(at);
    if (day >= this.calendar.dateOf(Date.now())) return;
    await this.records.put(STALE, day, this.calendar.dayRange(day).from, { since: Date.now() });
    this.reviseSoon(day);
  }

  async runTask(task: string, args: Record<string, string>): Promise<string> {
    if (task !== 'report') throw new PermanentError(`stats-rollup has no task "${task}" (it offers: report)`);
    if (!isDate(args.date)) throw new PermanentError(`task "report" needs date=YYYY-MM-DD (a real calendar day), got "${args.date ?? ''}"`);
    // A day whose rooms were pruned is refused by build(), in its own words.
    const refusal = (await this.retention.isPruned(args.date)) ? null : await reportTaskRefusal({
      day: args.date,
      today: this.calendar.dateOf(Date.now()),
      zone: this.calendar.timezone,
      keepDays: this.options.keepDays,
      partial: args.partial === 'true',
      zoneGiven: args.zoneGiven === 'true',
      storedZone: async () => {
        const stored = (await this.reports.readJson(args.date)) as { timezone?: string } | null;
        return stored === null ? undefined : (stored.timezone ?? null);
      },
      hasRooms: () => this.builder.hasRooms(args.date),
    });
    if (refusal) throw new PermanentError(refusal);
    const { report } = await this.build(args.date, 'task');
    const r = report.rooms;
    return `${report.date}: ${plural(r.destroyed, 'room')} closed (${r.withoutStatistic} without statistics) -> ${this.reports.dir}/${report.date}.html`;
  }

  async close(): Promise<void> {
    this.stopping.abort(new Error('stats-rollup is stopping; the report will be built at the next start (catch-up) or by `livehook report`'));
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    for (const timer of this.reviseTimers.values()) clearTimeout(timer);
    this.reviseTimers.clear();
    await Promise.allSettled([...this.running]);
    await this.builds.idle();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  /** A day's stored report; one that cannot be read counts as there (`json` null): rebuilding it is the fix. */
  private storedReport(day: string): Promise<{ json: unknown; there: boolean }> {
    return this.reports.readJson(day).then(
      (json) => ({ json, there: json !== null }),
      () => ({ json: null, there: true }),
    );
  }

  /**
   * A report built once its day was over. One built before (`livehook report
   * --partial`) lacks the rooms that came after it, which are never marked
   * stale (they were today's): the catch-up builds such a day again, as the
   * daily job would have. A report built in another time zone is left as it
   * is, whenever it was built: replacing it is the operator's call
   * (`livehook report --timezone`).
   */
  private async hasFullReport(day: string): Promise<boolean> {
    const { json, there } = await this.storedReport(day);
    if (!there) return false;
    if (json === null || this.otherZone(json) !== null) return true;
    return !(Date.parse(String((json as { generatedAt?: unknown }).generatedAt)) < this.calendar.dayRange(day).to);
  }

  /** The zone a stored report was built in, when it is not the service's. */
  private otherZone(json: unknown): string | null {
    const zone = (json as { timezone?: unknown } | null)?.timezone;
    return typeof zone === 'string' && !sameTimeZone(zone, this.calendar.timezone) ? zone : null;
  }

  /** The cron job: the day before the slot, in the service's zone. */
  private async buildPreviousDay(run: ScheduledRun): Promise<void> {
    if (this.stopping.signal.aborted) return; // a tick between close() and the scheduler's stop
    const day = addDays(this.calendar.dateOf(run.slot.getTime()), -1);
    try {
      await this.caughtUp('schedule');
      const built = await this.build(day, 'schedule');
      await this.mail(built);
      // A slot lost to a shutdown mid-build (or claimed by a `livehook report`
      // process that then exited) leaves a day without its report: fill it in.
      await this.catchUp();
    } finally {
      // Whatever became of the build: records must not pile up because one day failed.
      await this.pruneOldRooms(run.slot.getTime());
    }
  }

  /** In the build queue: a day's rooms are never deleted while this instance builds it. */
  private async pruneOldRooms(now: number): Promise<void> {
    const pruned = await this.builds.run(() => this.retention.prune(now));
    const gifts = pruned.gifts > 0 ? ` and ${pruned.gifts} gift records` : '';
    if (pruned.rooms + pruned.gifts > 0) this.logger.info(pruned, `deleted ${pruned.rooms} room records${gifts} of days before ${pruned.before} (keepDays ${this.options.keepDays}); their reports stay`);
  }

  /** Days the job missed while the service was down, and days left stale by a crash. */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      await this.catchUpNow();
    } finally {
      this.catchingUp = false;
    }
  }

  private async catchUpNow(): Promise<void> {
    await this.caughtUp('catch-up');
    const today = this.calendar.dateOf(Date.now());
    const reported = new Set(await this.reports.list());
    const stale = new Set<string>();
    for await (const mark of this.records.scan(STALE, 0, Number.MAX_SAFE_INTEGER)) stale.add(mark.key);

    let held = false;
    for (let back = this.options.catchUpDays; back >= 1; back--) {
      const day = addDays(today, -back);
      if (this.stopping.signal.aborted) return;
      // (never a pruned day: keepDays is at least catchUpDays)
      if ((reported.has(day) && (await this.hasFullReport(day))) || !(await this.builder.hasRooms(day))) continue;
      const built = await this.buildClaimed(day, 'catch-up', () => this.hasFullReport(day));
      if (typeof built === 'object') await this.mail(built);
      held ||= built === 'held';
    }
    // A day whose claim is held is tried again: the build holding it may
    // finish it, or may have died with it (the claim then runs out within
    // BUILD_CLAIM_TTL_MS), and nothing else would come back to that day
    // before the next daily run.
    this.heldCatchUps = held ? this.heldCatchUps + 1 : 0;
    if (held) this.catchUpSoon(retryDelay(this.heldCatchUps, HELD_RETRY));
    for (const day of stale) {
      if (this.stopping.signal.aborted) return;
      await this.revise(day);
    }
  }

  /**
   * Builds a day if this process wins the day's build claim: 'held' when
   * another build holds it, 'done' when the work was done since the caller
   * looked (`done`).
   */
  private async buildClaimed(day: string, reason: BuildReason, done: () => Promise<boolean>): Promise<BuiltReport | 'held' | 'done'> {
    if (!(await this.builder.claim(day))) {
      this.logger.info({ date: day, reason }, `report of ${day} not built here (${reason}): another build holds the day's claim`);
      return 'held';
    }
    try {
      if (await done()) {
        this.logger.info({ date: day, reason }, `report of ${day} not built here (${reason}): it was built meanwhile`);
        return 'done';
      }
      return await this.build(day, reason);
    } finally {
      await this.builder.release(day);
    }
  }

  /** Late rooms for `day` are gathered for reviseDelayMs, then the day is rebuilt once. */
  private reviseSoon(day: string, delayMs = this.options.reviseDelayMs): void {
    if (this.reviseTimers.has(day) || this.stopping.signal.aborted) return;
    const timer = setTimeout(() => {
      this.reviseTimers.delete(day);
      this.revise(day)
        .then((held) => {
          const times = held ? (this.heldRevisions.get(day) ?? 0) + 1 : 0;
          if (times === 0) this.heldRevisions.delete(day);
          else this.heldRevisions.set(day, times);
          if (held) this.reviseSoon(day, retryDelay(times, HELD_RETRY));
        })
        .catch((err) => this.logger.error({ err, date: day }, `rebuilding the report of ${day} failed: ${(err as Error).message}`));
    }, delayMs);
    timer.unref();
    this.reviseTimers.set(day, timer);
  }

  /**
   * Rooms came for an earlier day, which is marked stale (the late room's
   * timer, or the catch-up finding the mark): rebuild it if it has a report
   * or one is being built (that build may have scanned past them), under the
   * day's build claim; otherwise the daily job or the catch-up will build it
   * with them, and the mark goes. True when another build held the claim:
   * the mark stays, and the day is tried again.
   */
  private async revise(day: string): Promise<boolean> {
    if (await this.retention.isPruned(day)) {
      this.logger.warn({ date: day }, `a room of ${day} came after that day's rooms were deleted (keepDays ${this.options.keepDays}): its report stays as built`);
      await this.records.delete(STALE, day);
      return false;
    }
    const stored = await this.storedReport(day);
    const zone = this.otherZone(stored.json);
    if (zone !== null) {
      this.logger.warn({ date: day, timezone: zone }, `a room of ${day} came after that day's report was built in ${zone}: it stays as built (\`livehook report --date ${day} --timezone ${this.calendar.timezone}\` builds it in this zone)`);
      await this.records.delete(STALE, day);
      return false;
    }
    if (!stored.there && !(await this.builder.isBeingBuilt(day))) {
      await this.records.delete(STALE, day);
      return false;
    }
    const outcome = await this.buildClaimed(day, 'late rooms', async () => (await this.records.get(STALE, day)) === null);
    return outcome === 'held';
  }

  /**
   * Waits until this plugin has handled the events stored so far, so that a
   * report built next holds every room acknowledged before it: after a
   * restart, an outage, or the plugin switched off for a while, the backlog
   * is handled at its own pace, and a report built meanwhile would be
   * published (and mailed) short of rooms. After BACKLOG_WAIT_MS the build
   * goes ahead, and says so; the rooms still to come rebuild the day as
   * they are handled.
   */
  private async caughtUp(reason: BuildReason): Promise<void> {
    if (await this.scheduler.caughtUp({ timeoutMs: BACKLOG_WAIT_MS, signal: this.stopping.signal })) return;
    if (this.stopping.signal.aborted) return;
    this.logger.warn({ reason }, `stats-rollup has not handled every stored event after ${BACKLOG_WAIT_MS / 60_000} minutes of waiting: building (${reason}) without the rest; the days they belong to are rebuilt as they are handled, but a report mailed now lacks them`);
  }

  /** Queues a build behind the running one. */
  private build(day: string, reason: BuildReason): Promise<BuiltReport> {
    return this.builds.run(async () => {
      this.stopping.signal.throwIfAborted();
      if (await this.retention.isPruned(day)) {
        const { there } = await this.storedReport(day);
        const rest = there ? 'it cannot be rebuilt: its report stays as built' : 'it cannot be built (it has no report: none was built while its rooms were kept)';
        throw new PermanentError(`the rooms of ${day} were deleted after keepDays (${this.options.keepDays}) days, so ${rest}`);
      }
      const started = Date.now();
      const built = await this.builder.build(day, this.stopping.signal);
      const r = built.report;
      this.logger.info({ date: day, reason, rooms: r.rooms.destroyed, revised: r.revision.revised, ms: Date.now() - started }, `report of ${day} built (${reason})`);
      return built;
    });
  }

  /** Mails a day's report once (across restarts and instances) when `mailTo` is set. */
  private async mail(built: BuiltReport): Promise<void> {
    if (this.options.mailTo.length === 0) return;
    const date = built.report.date;
    try {
      await this.scheduler.once(`mail:${date}`, async () => {
        await this.mailer.send(reportMail(built, this.options.mailTo, this.context.publicUrl));
        this.logger.info({ date, to: this.options.mailTo }, `report of ${date} mailed`);
      });
    } catch (err) {
      throw new Error(`the report of ${date} was built (${this.reports.dir}/${date}.html) but mailing it failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
