/**
 * A report's name is its day, YYYY-MM-DD. It becomes a file name and a URL
 * segment, so it is checked strictly: a real calendar day, nothing else (no
 * path separators can slip through).
 */
import { LivehookError } from '../errors';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written YYYY-MM-DD (2025-02-29 is not one). */
export function isReportDate(value: string): boolean {
  const m = SHAPE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function assertReportDate(value: string, what = 'date'): string {
  if (!isReportDate(value)) {
    throw new LivehookError('BAD_DATE', `${what} "${value}" is not a day written YYYY-MM-DD (for example 2025-09-04)`, { [what]: value });
  }
  return value;
}
