/**
 * `livehook report --date YYYY-MM-DD` or `--from YYYY-MM-DD --to YYYY-MM-DD`:
 * (re)builds daily reports from the stored events by running the
 * stats-rollup plugin's 'report' task, one day at a time.
 *
 * It boots config, store and plugins without HTTP, so it works whether or not
 * the service is running (SQLite in WAL mode lets a second process in).
 * Exit codes: 0 every day built, 1 a day (or the start) failed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { describeError, isLivehookError } from '../errors';
import { isReportDate } from '../reports/report-date';
import { parseArgsProblem, repeatedOption } from './parse-command';
import { canonicalTimeZone } from '../util/time-zone';
import { addDays } from '../util/calendar-days';

export interface ReportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** On a terminal a status line shows which day is being built. */
  isTTY: boolean;
}

export interface ReportRuntime {
  runTask(plugin: string, task: string, args: Record<string, string>): Promise<string | void>;
  close(): Promise<void>;
}

export const REPORT_USAGE = `usage: livehook report --date YYYY-MM-DD [--partial] [--timezone ZONE]
       livehook report --from YYYY-MM-DD --to YYYY-MM-DD [--timezone ZONE]

(Re)builds the daily report of each day from the stored events, in the
configured time zone (LIVEHOOK_TIMEZONE), into the store and <data dir>/reports/.
Works whether or not the service is running.

  --partial          build today's report although the day is not over
  --timezone ZONE    build in this IANA zone (for example Asia/Shanghai); needed
                     to replace a stored report that was built in another zone

Refused: a day in the future, today without --partial, a day older than the
rooms kept (stats-rollup keepDays) whose rooms are gone.`;

export interface ReportRequest {
  days: string[];
  partial: boolean;
  /** Given explicitly with --timezone. */
  timezone: string | null;
}

/** Longest range one run accepts: a typo in a year should not rebuild a decade. */
export const MAX_DAYS = 366;
const PLUGIN = 'stats-rollup';

class UsageError extends Error {}

export async function runReportCommand(argv: string[], io: ReportIo, boot: (request: ReportRequest) => Promise<ReportRuntime>): Promise<number> {
  let request: ReportRequest;
  try {
    const parsed = parseReportArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(`${REPORT_USAGE}\n`);
      return 0;
    }
    request = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`livehook report: ${err.message}\n\n${REPORT_USAGE}\n`);
    return 2;
  }

  let runtime: ReportRuntime;
  try {
    runtime = await boot(request);
  } catch (err) {
    io.stderr.write(`livehook report: could not start: ${describeError(err)}\n`);
    return 1;
  }

  const { days } = request;
  // What the operator said, for the plugin's checks (./report-task-guard.ts in stats-rollup).
  const said: Record<string, string> = { ...(request.partial ? { partial: 'true' } : {}), ...(request.timezone ? { zoneGiven: 'true' } : {}) };
  const started = Date.now();
  let failed = 0;
  try {
    for (const [i, date] of days.entries()) {
      const counter = days.length > 1 ? `[${String(i + 1).padStart(String(days.length).length)}/${days.length}] ` : '';
      if (io.isTTY) io.stdout.write(`\r\x1b[K${counter}building ${date}…`);
      try {
        const summary = await runtime.runTask(PLUGIN, 'report', { date, ...said });
        if (io.isTTY) io.stdout.write('\r\x1b[K');
        io.stdout.write(`${counter}${summary || `${date}: built`}\n`);
      } catch (err) {
        if (io.isTTY) io.stdout.write('\r\x1b[K');
        io.stderr.write(`${counter}${date}: failed: ${describeError(err)}\n`);
        failed++;
        // The same cause (plugin off, bad config) would fail every other day too.
        if (isLivehookError(err) && (err.code === 'USAGE' || err.code === 'CONFIG_INVALID' || err.code === 'PLUGIN_CAPABILITY_DENIED')) break;
      }
    }
  } finally {
    await runtime.close();
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failed > 0) {
    io.stderr.write(`${days.length - failed} of ${days.length} report(s) built in ${seconds} s; ${failed} failed\n`);
    return 1;
  }
  if (days.length > 1) io.stdout.write(`${days.length} reports built in ${seconds} s\n`);
  return 0;
}

/** The days to build, in order, and how; or 'help'. Throws a UsageError that says what to fix. */
function parseReportArgs(argv: string[]): ReportRequest | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  let values: { date?: string; from?: string; to?: string; partial?: boolean; timezone?: string };
  let twice: string | null;
  try {
    const parsed = parseArgs({
      args: argv,
      options: { date: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, partial: { type: 'boolean' }, timezone: { type: 'string' } },
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
    values = parsed.values;
    twice = repeatedOption(parsed.tokens);
  } catch (err) {
    throw new UsageError(parseArgsProblem(err));
  }
  if (twice) throw new UsageError(`--${twice} is given twice`);
  for (const name of ['date', 'from', 'to'] as const) {
    const value = values[name];
    if (value !== undefined && !isReportDate(value)) throw new UsageError(`--${name} "${value}" is not a day written YYYY-MM-DD (for example 2025-09-04)`);
  }
  const timezone = values.timezone === undefined ? null : canonicalTimeZone(values.timezone);
  if (values.timezone !== undefined && timezone === null) throw new UsageError(`--timezone "${values.timezone}" is not an IANA time zone (for example Asia/Shanghai or UTC)`);
  const request = { partial: values.partial ?? false, timezone };

  const { date, from, to } = values;
  if (date !== undefined) {
    if (from !== undefined || to !== undefined) throw new UsageError('give either --date, or --from and --to, not both');
    return { days: [date], ...request };
  }
  if (from === undefined && to === undefined) throw new UsageError('which day? give --date, or --from and --to');
  if (from === undefined || to === undefined) throw new UsageError(`--${from === undefined ? 'to' : 'from'} needs --${from === undefined ? 'from' : 'to'} too`);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    days.push(d);
    if (days.length > MAX_DAYS) throw new UsageError(`the range ${from} to ${to} is longer than ${MAX_DAYS} days; split it into several runs`);
  }
  return { days, ...request };
}
