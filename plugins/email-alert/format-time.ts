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

/** A room's event time as a mail shows it: formatEventTime, and how late its callback came when that is news (lateNote). */
export function eventTimeText(room: { eventTime: number | null; receivedAt?: number }, timeZone: string): string {
  return formatEventTime(room.eventTime, timeZone) + lateNote(room.eventTime, room.receivedAt);
}

/** Past this, a callback is news of the past: the mail says how late it came. */
const LATE_AFTER_MS = 60 * 60 * 1000;

/**
 * ", received 452 days after" for a callback that came long after its event
 * (a resend, a replay of dead deliveries, a backlog), so an operator does not
 * take an old room for a new incident; "" otherwise.
 */
export function lateNote(eventTime: number | null, receivedAt: number | undefined): string {
  if (eventTime === null || receivedAt === undefined || !Number.isFinite(eventTime)) return '';
  const late = receivedAt - eventTime;
  if (!(late > LATE_AFTER_MS)) return '';
  const hours = Math.floor(late / (60 * 60 * 1000));
  const span = hours < 48 ? `${hours} hours` : `${Math.floor(hours / 24)} days`;
  return `, received ${span} later`;
}
