/**
 * Where reports live in the store: the records of `livehook:reports` (a
 * colon cannot appear in a plugin's name, so no plugin can read or overwrite
 * them). Key = the day (YYYY-MM-DD), at = its midnight UTC.
 *
 *   html  the page (a string)
 *   json  the report data
 *   days  { writtenAt, importedFrom? }: the index list() reads, written last,
 *         so a listed day always has its data and its page
 *
 * Pages and data are kept apart so that listing the days, or checking one
 * day's data on the event path, never drags the pages along.
 */
import type { PluginRecords } from '../store/store';

export const REPORTS_RECORDS = 'livehook:reports';
export const HTML = 'html';
export const JSON_DATA = 'json';
export const DAYS = 'days';

export interface ReportDay {
  /** When the report was written to the store (ms). */
  writtenAt: number;
  /** The local file it was imported from: a report built by an older version. */
  importedFrom?: string;
}

/** Days that have a report in the store, newest first. */
export async function listStoredDays(records: PluginRecords): Promise<string[]> {
  const days: string[] = [];
  for await (const day of records.scan(DAYS, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) days.push(day.key);
  return days.sort().reverse();
}

/** A day's index time: its midnight UTC (ISO parsing keeps years below 100 as written). */
export function dayAt(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}
