/**
 * The storm digest: the mail for every room held back during one window,
 * each listed with what a single alert would have said in brief. A storm
 * larger than one mail should carry (storm.roomsPerDigestMail) is sent as
 * several mails, "part 1 of 3" and so on, numbered on across the parts.
 */
import { eventTimeText, formatClock } from './format-time';
import type { RoomFacts } from './room-facts';
import { reasonOf } from './room-facts';
import { statisticsSummary } from './statistics';
import escapeHtml from 'escape-html';
import { oneLine } from 'livehook';
import type { RenderedMail } from './alert-mail';

export interface DigestWindow {
  start: number;
  end: number;
  /** Single alerts already sent in this window, before the limit was reached. */
  maxAlerts: number;
}

/** Which part of a digest a mail is: its rooms are `first`+1 … of `total` in all. */
export interface DigestPart {
  index: number;
  count: number;
  /** How many rooms the parts before this one list. */
  first: number;
  /** The rooms of the whole digest. */
  total: number;
}

/** The digest's rooms in mails of at most `perMail` rooms each. */
export function renderDigestParts(window: DigestWindow, rooms: RoomFacts[], timeZone: string, perMail: number): RenderedMail[] {
  const count = Math.max(1, Math.ceil(rooms.length / perMail));
  return Array.from({ length: count }, (_, index) =>
    renderDigest(window, rooms.slice(index * perMail, (index + 1) * perMail), timeZone, { index, count, first: index * perMail, total: rooms.length }),
  );
}

function renderDigest(window: DigestWindow, rooms: RoomFacts[], timeZone: string, part: DigestPart): RenderedMail {
  const span = `${formatClock(window.start, timeZone)}–${formatClock(window.end, timeZone)} (${timeZone})`;
  const { total, first } = part;
  const count = `${total} more room${total === 1 ? '' : 's'}`;
  const split = part.count > 1 ? { subject: ` (part ${part.index + 1} of ${part.count})`, intro: ` This is part ${part.index + 1} of ${part.count}: rooms ${first + 1} to ${first + rooms.length}.` } : { subject: '', intro: '' };
  const subject = `[livehook] Alert storm: ${count} dissolved between ${span}${split.subject}`;
  const intro =
    `More than ${window.maxAlerts} room alert${window.maxAlerts === 1 ? '' : 's'} came in between ${span}. ` +
    `Each room past that limit is listed here instead of in a mail of its own.${split.intro}`;

  // Room names and accounts come from app users: each on one line (oneLine).
  const line = (room: RoomFacts, i: number): string =>
    oneLine(
      `${first + i + 1}. "${room.roomName ?? '(no name)'}" (${room.roomId ?? '(unknown)'}), owner ${room.owner ?? '(unknown)'}, ` +
        `${reasonOf(room.eventType)} at ${eventTimeText(room, timeZone)}, operator ${room.operator ?? '(unknown)'}; ` +
        `${statisticsSummary(room.statistic)}`,
    );
  const signature = `storm digest, ${total} room${total === 1 ? '' : 's'}${split.subject}`;
  const text = `${intro}\n\n${rooms.map(line).join('\n')}\n\n--\nSent by livehook email-alert (${signature}).\n`;

  const cell = (value: string): string => `<td style="padding:2px 10px 2px 0;vertical-align:top">${escapeHtml(value)}</td>`;
  const rows = rooms
    .map(
      (room) =>
        `<tr>${cell(room.roomName ?? '(no name)')}${cell(room.roomId ?? '(unknown)')}${cell(room.owner ?? '(unknown)')}${cell(room.operator ?? '(unknown)')}` +
        `${cell(reasonOf(room.eventType))}${cell(eventTimeText(room, timeZone))}${cell(statisticsSummary(room.statistic))}</tr>`,
    )
    .join('\n');
  const head = ['Room name', 'Room id', 'Owner', 'Operator', 'Reason', 'Event time', 'Statistics']
    .map((h) => `<th align="left" style="padding:2px 10px 2px 0">${h}</th>`)
    .join('');
  const html = `<!doctype html>
<html><body style="font-family:sans-serif;font-size:14px;color:#222">
<p>${escapeHtml(intro)}</p>
<table cellspacing="0" cellpadding="0">
<tr>${head}</tr>
${rows}
</table>
<p style="color:#888;font-size:12px">Sent by livehook email-alert (${escapeHtml(signature)}).</p>
</body></html>
`;
  return { subject, text, html };
}
