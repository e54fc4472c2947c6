/**
 * The report as one self-contained HTML page: inline CSS, an inline SVG
 * chart, no script and nothing fetched, so it works from the /reports route,
 * from a file, and as the body of a mail. Every value from a callback is escaped.
 */
import type { Change, DailyReport, TopRoom } from '../daily-report';
import { STAT_NAMES, type StatName } from '../room-record';
import { hourChart } from './hour-chart';
import { giftSection } from './gift-section';
import { hourTable } from './hour-table';
import { esc, num, percent } from './html';
import { plural } from '../plural';

/**
 * How the page is drawn: for the browser (the default) an SVG chart and
 * links relative to the service; for a mail the chart as a table (mail
 * clients drop inline SVG) and links under the public address, or none.
 */
export interface PageOptions {
  chart: 'svg' | 'table';
  /** Prefix of the links to /reports: '' (relative), an absolute address, or null for no links. */
  linkBase: string | null;
  /** The page's own absolute address, shown as a link at the top (mail with a public address). */
  pageUrl?: string;
}

const IN_BROWSER: PageOptions = { chart: 'svg', linkBase: '' };

/** The page's names of the statistics (the text mail uses them too). */
export const LABELS: Record<StatName, string> = {
  TotalViewers: 'Viewers',
  TotalGiftsSent: 'Gifts sent',
  TotalGiftCoins: 'Gift coins',
  TotalUniqueGiftSenders: 'Unique gift senders',
  TotalLikesReceived: 'Likes',
};

export function reportPage(r: DailyReport, options: PageOptions = IN_BROWSER): string {
  // Rooms closed, none with figures: the JSON's totals are sums over no room (0), the page does not show them as zeros.
  const unmeasured = r.rooms.destroyed > 0 && r.rooms.withStatistic === 0;
  const cards = [
    card('Rooms closed', num(r.rooms.destroyed), deltas(r, 'destroyed')),
    card('Closed by the system', percent(r.rooms.closedBySystemShare), `<p class="note">${num(r.rooms.byEventType.DestroyBySystem ?? 0)} by the system, ${num(r.rooms.byEventType.DestroyByUser ?? 0)} by their owner</p>`),
    card('Without statistics', num(r.rooms.withoutStatistic), `<p class="note">${r.rooms.withoutStatistic === 1 ? 'the room whose callback carried no Statistic; not counted' : 'rooms whose callback carried no Statistic; not counted'} in the totals below</p>`),
    ...STAT_NAMES.map((name) => (unmeasured ? card(LABELS[name], '–', '<p class="note">no room of this day carried Statistic</p>') : card(LABELS[name], num(r.totals[name]), deltas(r, name)))),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rooms closed on ${esc(r.date)} · livehook</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Rooms closed on ${esc(longDate(r.date))}</h1>
<p class="meta">${esc(r.timezone)} · ${esc(r.period.from.slice(11, 16))} to ${esc(r.period.to.slice(11, 16))} next day (${num(r.period.hours)} h) · generated ${esc(r.generatedAt.replace('T', ' ').slice(0, 16))} UTC</p>
${partialNote(r)}${revisionNote(r)}
${options.pageUrl ? `<p class="open"><a href="${esc(options.pageUrl)}">Open this report in the browser</a></p>` : ''}
</header>
<main>
<section class="cards">
${cards.join('\n')}
</section>
<p class="basis">Totals sum the ${plural(num(r.rooms.withStatistic), 'room')} that carried statistics.</p>
<section>
<h2>Rooms closed per hour</h2>
<figure>
${options.chart === 'svg' ? `${hourChart(r.roomsPerHour)}
<figcaption><span class="key user"></span> closed by the owner <span class="key system"></span> closed by the system</figcaption>` : hourTable(r.roomsPerHour)}
</figure>
</section>
<section class="tops">
${topTable(`Top ${r.topRooms.length ? plural(r.topRooms.length, 'room') : 'rooms'} by viewers`, r.topRooms, 'TotalViewers')}
${topTable(`Top ${r.topRoomsByGiftCoins.length ? plural(r.topRoomsByGiftCoins.length, 'room') : 'rooms'} by gift coins`, r.topRoomsByGiftCoins, 'TotalGiftCoins')}
</section>
${giftSection(r.gifts)}
</main>
<footer>livehook${options.linkBase === null ? '' : ` · <a href="${esc(options.linkBase)}/reports/${esc(r.date)}.json">data (JSON)</a> · <a href="${esc(options.linkBase)}/reports">all reports</a>`}</footer>
</body>
</html>
`;
}

function card(title: string, value: string, extra: string): string {
  return `<div class="card"><h3>${esc(title)}</h3><p class="value">${value}</p>${extra}</div>`;
}

function deltas(r: DailyReport, figure: 'destroyed' | StatName): string {
  const prev = r.change.previousDay;
  const avg = r.change.sevenDayAverage;
  const lines = [
    prev ? delta(prev[figure], `vs ${shortDate(prev.date)}`) : '<li class="none">no data for the day before</li>',
    avg ? delta(avg[figure], `vs 7-day average${avg.days < 7 ? ` (${avg.days} d)` : ''}`) : '<li class="none">no data for the week before</li>',
  ];
  return `<ul class="deltas">${lines.join('')}</ul>`;
}

function delta(c: Change, against: string): string {
  const dir = c.change > 0 ? 'up' : c.change < 0 ? 'down' : 'flat';
  const arrow = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■';
  const sign = c.change > 0 ? '+' : c.change < 0 ? '−' : '±';
  const pct = c.changePct === null ? '' : ` (${sign}${num(Math.abs(c.changePct))}%)`;
  return `<li class="${dir}">${arrow} ${sign}${num(Math.abs(c.change))}${pct} ${esc(against)}</li>`;
}

function topTable(title: string, rooms: TopRoom[], by: StatName): string {
  if (rooms.length === 0) return `<div class="top"><h2>${esc(title)}</h2><p class="none">No room with statistics closed this day.</p></div>`;
  const rows = rooms.map((room) => `<tr>
<td class="n">${room.rank}</td>
<td><span class="room">${esc(room.roomName ?? '(no name)')}</span><br><span class="id">${esc(room.roomId)}${room.owner ? ` · owner ${esc(room.owner)}` : ''}</span></td>
<td class="n" data-label="Closed">${esc(room.closedAt.slice(11, 19))}${room.eventType === 'DestroyBySystem' ? '<br><span class="tag">by system</span>' : ''}</td>
<td class="n ${by === 'TotalViewers' ? 'key-col' : ''}" data-label="Viewers">${num(room.TotalViewers)}</td>
<td class="n ${by === 'TotalGiftCoins' ? 'key-col' : ''}" data-label="Gift coins">${num(room.TotalGiftCoins)}</td>
<td class="n" data-label="Likes">${num(room.TotalLikesReceived)}</td>
</tr>`).join('\n');
  return `<div class="top"><h2>${esc(title)}</h2>
<table>
<thead><tr><th>#</th><th>Room</th><th>Closed</th><th>Viewers</th><th>Gift coins</th><th>Likes</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

function partialNote(r: DailyReport): string {
  if (!r.partial) return '';
  return `<p class="revised partial">Partial: built at ${esc(r.generatedAt.replace('T', ' ').slice(0, 16))} UTC, before the day ended; rooms closed after that are not in it. The full report is built once the day is over.</p>\n`;
}

function revisionNote(r: DailyReport): string {
  if (!r.revision.revised) return '';
  const one = r.revision.roomsArrivedLater === 1;
  return `<p class="revised">Revised: ${num(r.revision.roomsArrivedLater)} room${one ? '' : 's'} arrived after this report was first published (${esc(r.revision.firstGeneratedAt.replace('T', ' ').slice(0, 16))} UTC) and ${one ? 'is' : 'are'} included.</p>`;
}

/** 2025-09-04 -> "Thursday, 4 September 2025" (a calendar date: no zone involved). */
function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.UTC(y, m - 1, d));
}

function shortDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(Date.UTC(y, m - 1, d));
}

const STYLE = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --user: #3b82c4; --system: #e8833a; --up: #1d7f4e; --down: #b83232; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: #f7f8fa; margin: 0; padding: 1.5rem; }
header, main, footer { max-width: 62rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0; }
.meta, .basis, footer, .note, .none { color: var(--muted); font-size: .85rem; }
.revised { background: #fff7e6; border: 1px solid #f3d19e; border-radius: 6px; padding: .5rem .75rem; font-size: .9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .75rem; margin-top: 1.25rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.value { font-size: 1.75rem; font-weight: 650; margin: .15rem 0; font-variant-numeric: tabular-nums; }
.note { margin: 0; }
.deltas { list-style: none; padding: 0; margin: 0; font-size: .8rem; font-variant-numeric: tabular-nums; }
.deltas .up { color: var(--up); } .deltas .down { color: var(--down); } .deltas .flat, .deltas .none { color: var(--muted); }
figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: .75rem; overflow-x: auto; }
figcaption { font-size: .8rem; color: var(--muted); margin-top: .25rem; }
/* Narrower than this the labels would shrink past reading: the figure scrolls sideways instead. */
.chart { display: block; width: 100%; min-width: 40rem; height: auto; }
.chart .bar.user, .key.user { fill: var(--user); background: var(--user); }
.chart .bar.system, .key.system { fill: var(--system); background: var(--system); }
.chart .grid { stroke: var(--line); } .chart .axis { stroke: #9aa5b1; }
.chart .tick { font-size: 11px; fill: var(--muted); } .chart .empty { font-size: 14px; fill: var(--muted); }
.key { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -1px; margin: 0 .25rem 0 .75rem; }
.tops { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 1rem; }
.top { min-width: 0; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 8px; font-size: .85rem; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: .75rem; color: var(--muted); font-weight: 600; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.key-col { font-weight: 650; }
.room { font-weight: 550; overflow-wrap: anywhere; } .id { color: var(--muted); font-size: .78rem; overflow-wrap: anywhere; }
.tag { font-size: .7rem; background: #fdecdf; color: #9a4a12; border-radius: 3px; padding: 0 .25rem; }
footer { margin-top: 2rem; }
a { color: #1f5fbf; }
/* A phone: each top room is a block, its name across the width and its figures named below it. */
@media (max-width: 40rem) {
  body { padding: .75rem; }
  .top table, .top tbody { display: block; }
  .top thead { display: none; }
  .top tr { display: grid; grid-template-columns: 1.75rem repeat(2, minmax(0, 1fr)); gap: .25rem .5rem; padding: .5rem; border-bottom: 1px solid var(--line); }
  .top td { border: 0; padding: 0; }
  .top td:first-child { grid-row: span 3; }
  .top td:nth-child(2) { grid-column: 2 / -1; margin-bottom: .15rem; }
  .top td[data-label] { text-align: left; white-space: normal; overflow-wrap: anywhere; }
  .top td[data-label]::before { content: attr(data-label); display: block; font-size: .7rem; color: var(--muted); font-weight: 400; }
}
`;
