/**
 * `livehook report --date YYYY-MM-DD` or `--from YYYY-MM-DD --to YYYY-MM-DD`:
 * (re)builds daily reports from the stored events by running the
 * stats-rollup plugin's 'report' task, one day at a time.
 *
 * It boots config, store and plugins without HTTP, so it works whether or not
 * the service is running (SQLite in WAL mode lets a second process in).
 * Exit codes: 0 every day built, 1 a day (or the start) failed, 2 bad usage.
 */
import { describeError, isLivehookError } from '../errors';
import { isReportDate } from '../reports/report-date';

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

export const REPORT_USAGE = `usage: livehook report --date YYYY-MM-DD
       livehook report --from YYYY-MM-DD --to YYYY-MM-DD

(Re)builds the daily report of each day from the stored events, in the
configured time zone (LIVEHOOK_TIMEZONE), into <data dir>/reports/.
Works whether or not the service is running.`;

/** Longest range one run accepts: a typo in a year should not rebuild a decade. */
export const MAX_DAYS = 366;
const PLUGIN = 'stats-rollup';

class UsageError extends Error {}

export async function runReportCommand(argv: string[], io: ReportIo, boot: () => Promise<ReportRuntime>): Promise<number> {
  let days: string[];
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(`${REPORT_USAGE}\n`);
      return 0;
    }
    days = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`livehook report: ${err.message}\n\n${REPORT_USAGE}\n`);
    return 2;
  }

  let runtime: ReportRuntime;
  try {
    runtime = await boot();
  } catch (err) {
    io.stderr.write(`livehook report: could not start: ${describeError(err)}\n`);
    return 1;
  }

  const started = Date.now();
  let failed = 0;
  try {
    for (const [i, date] of days.entries()) {
      const counter = days.length > 1 ? `[${String(i + 1).padStart(String(days.length).length)}/${days.length}] ` : '';
      if (io.isTTY) io.stdout.write(`\r\x1b[K${counter}building ${date}…`);
      try {
        const summary = await runtime.runTask(PLUGIN, 'report', { date });
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

/** The days to build, in order, or 'help'. Throws a UsageError that says what to fix. */
function parseArgs(argv: string[]): string[] | 'help' {
  const values: Record<'date' | 'from' | 'to', string | undefined> = { date: undefined, from: undefined, to: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--(date|from|to)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(arg.startsWith('-') ? `unknown option "${arg}"` : `unexpected argument "${arg}"`);
    const name = m[1] as keyof typeof values;
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a day, written YYYY-MM-DD`);
    if (values[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    if (!isReportDate(value)) throw new UsageError(`--${name} "${value}" is not a day written YYYY-MM-DD (for example 2025-09-04)`);
    values[name] = value;
  }

  const { date, from, to } = values;
  if (date !== undefined) {
    if (from !== undefined || to !== undefined) throw new UsageError('give either --date, or --from and --to, not both');
    return [date];
  }
  if (from === undefined && to === undefined) throw new UsageError('which day? give --date, or --from and --to');
  if (from === undefined || to === undefined) throw new UsageError(`--${from === undefined ? 'to' : 'from'} needs --${from === undefined ? 'from' : 'to'} too`);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const days: string[] = [];
  for (let d = from; d <= to; d = nextDay(d)) {
    days.push(d);
    if (days.length > MAX_DAYS) throw new UsageError(`the range ${from} to ${to} is longer than ${MAX_DAYS} days; split it into several runs`);
  }
  return days;
}

function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
