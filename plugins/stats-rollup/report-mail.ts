/** The daily mail: a plain-text summary, and the report page itself as the HTML part. */
import type { MailMessage } from 'livehook';
import type { BuiltReport } from './report-builder';
import { plural } from './plural';
import { STAT_NAMES } from './room-record';

export function reportMail(built: BuiltReport, to: string[]): MailMessage {
  const r = built.report;
  const lines = [
    `Rooms closed on ${r.date} (${r.timezone}): ${r.rooms.destroyed}`,
    `  by their owner: ${r.rooms.byEventType.DestroyByUser ?? 0}, by the system: ${r.rooms.byEventType.DestroyBySystem ?? 0}`,
    `  without statistics (not in the totals): ${r.rooms.withoutStatistic}`,
    '',
    `Totals over the ${r.rooms.withStatistic} rooms with statistics:`,
    ...STAT_NAMES.map((name) => {
      const prev = r.change.previousDay?.[name];
      const vs = prev ? ` (${prev.change >= 0 ? '+' : ''}${prev.change} vs the day before)` : '';
      return `  ${name}: ${r.totals[name]}${vs}`;
    }),
    '',
    `Top rooms by viewers:`,
    ...r.topRooms.slice(0, 5).map((room) => `  ${room.rank}. ${room.roomName ?? room.roomId} (${room.roomId}): ${room.TotalViewers} viewers, ${room.TotalGiftCoins} gift coins`),
  ];
  if (r.topRooms.length === 0) lines.push('  (no room with statistics)');
  return {
    to,
    subject: `Daily report ${r.date}: ${plural(r.rooms.destroyed, 'room')} closed`,
    text: `${lines.join('\n')}\n`,
    html: built.html,
    // One report, one mail: a stable id lets a mail server or reader spot a resend.
    messageId: `<stats-rollup.${r.date}@livehook>`,
  };
}
