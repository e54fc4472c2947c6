/**
 * An event time as the operator's clock shows it: `2025-09-04 19:41:01
 * (Asia/Shanghai, UTC+08:00)`, in the service's zone (LIVEHOOK_TIMEZONE).
 */
export function formatEventTime(ms: number | null, timeZone: string): string {
  if (ms === null || !Number.isFinite(ms)) return 'not given';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT/, 'UTC') || 'UTC';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} (${timeZone}, ${offset === 'UTC' ? 'UTC+00:00' : offset})`;
}

/** Just the clock time, for a digest's window: `19:41:01`. */
export function formatClock(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}
