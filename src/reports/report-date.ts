/**
 * A report's name is its day, YYYY-MM-DD. It becomes a file name and a URL
 * segment, so it is checked strictly: a real calendar day, nothing else (no
 * path separators can slip through).
 */
import { LivehookError } from '../errors';
import { isDate } from '../util/calendar-days';
import { shorten } from '../util/shorten';

/** True for a real calendar day written YYYY-MM-DD (2025-02-29 is not one). */
export { isDate as isReportDate } from '../util/calendar-days';

export function assertReportDate(value: string, what = 'date'): string {
  if (!isDate(value)) {
    throw new LivehookError('BAD_DATE', `${what} "${shorten(value)}" is not a day written YYYY-MM-DD (for example 2025-09-04)`, { [what]: shorten(value) });
  }
  return value;
}
