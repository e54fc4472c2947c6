/**
 * The daily mail: a plain-text summary and the report page as the HTML part,
 * its numbers written as the page writes them (1,234; "Gift coins").
 *
 * Mail clients drop inline SVG, so the HTML part has the hourly chart as a
 * table. Links point to the page under the service's public address
 * (LIVEHOOK_PUBLIC_URL); without one the mail has no links, rather than
 * links that lead nowhere.
 */
import { oneLine, type MailMessage } from 'livehook';
import { LABELS, reportPage } from './page/report-page';
import { num, percent } from './page/html';
import type { BuiltReport } from './report-builder';
import { plural } from './plural';
import { STAT_NAMES } from './room-record';

export function reportMail(built: BuiltReport, to: string[], publicUrl: string | null): MailMessage {
  const r = built.report;
  const pageUrl = publicUrl === null ? undefined : `${publicUrl}/reports/${r.date}`;
  const byUser = r.rooms.byEventType.DestroyByUser ?? 0;
  const bySystem = r.rooms.byEventType.DestroyBySystem ?? 0;
  const lines = [
    `Rooms closed on ${r.date} (${r.timezone}): ${num(r.rooms.destroyed)}`,
    `  by their owner: ${num(byUser)}, by the system: ${num(bySystem)} (closed by the system: ${percent(r.rooms.closedBySystemShare)})`,
    `  without statistics (not in the totals): ${num(r.rooms.withoutStatistic)}`,
    '',
    `Totals over the ${num(r.rooms.withStatistic)} rooms with statistics:`,
    ...STAT_NAMES.map((name) => {
      const prev = r.change.previousDay?.[name];
      const vs = prev ? ` (${prev.change > 0 ? '+' : prev.change < 0 ? '−' : '±'}${num(Math.abs(prev.change))} vs the day before)` : '';
      return `  ${LABELS[name]}: ${num(r.totals[name])}${vs}`;
    }),
    '',
    'Rooms closed per hour (by the owner / by the system):',
    ...r.roomsPerHour.map((h) => `  ${h.label}  ${num(h.destroyed).padStart(6)}  (${num(h.destroyed - h.bySystem)} / ${num(h.bySystem)})`),
    '',
    `Top rooms by viewers:`,
    // Room names come from app users: each on one line (oneLine).
    ...r.topRooms.slice(0, 5).map((room) => `  ${room.rank}. ${oneLine(`${room.roomName ?? room.roomId} (${room.roomId})`)}: ${num(room.TotalViewers)} viewers, ${num(room.TotalGiftCoins)} gift coins`),
  ];
  if (r.topRooms.length === 0) lines.push('  (no room with statistics)');
  if (pageUrl) lines.push('', `The report: ${pageUrl}`, `All reports: ${publicUrl}/reports`);
  return {
    to,
    subject: `Daily report ${r.date}: ${plural(r.rooms.destroyed, 'room')} closed`,
    text: `${lines.join('\n')}\n`,
    html: reportPage(r, { chart: 'table', linkBase: publicUrl, pageUrl }),
    // One report, one mail: a stable id lets a mail server or reader spot a resend.
    messageId: `<stats-rollup.${r.date}@livehook>`,
  };
}
