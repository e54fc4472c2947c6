/**
 * Calendar days written YYYY-MM-DD (a report's date, a day of rooms): plain
 * dates, no time zone involved. Shared by the reports routes and, through
 * 'livehook', by plugins.
 */
const DAY_MS = 86_400_000;

/** The day `days` after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True for a real calendar day written YYYY-MM-DD (not 2025-02-30). */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return addDays(value, 0) === value;
}
