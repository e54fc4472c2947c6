/**
 * Rooms closed per local hour as an HTML table, for mail: mail clients drop
 * inline SVG, so the mail carries the chart's numbers as rows, each with a
 * bar drawn by two coloured cells (inline styles: many clients drop <style>).
 */
import type { DailyReport } from '../daily-report';
import { num } from './html';

const BAR_PX = 240;
const USER = '#3b82c4';
const SYSTEM = '#e8833a';

export function hourTable(hours: DailyReport['roomsPerHour']): string {
  const max = Math.max(0, ...hours.map((h) => h.destroyed));
  const px = (n: number) => (max === 0 ? 0 : Math.round((n / max) * BAR_PX));
  const cell = 'style="padding:1px 8px;text-align:right;font-variant-numeric:tabular-nums"';
  const rows = hours.map((h) => {
    const byUser = h.destroyed - h.bySystem;
    const bar = [byUser > 0 ? segment(px(byUser), USER) : '', h.bySystem > 0 ? segment(px(h.bySystem), SYSTEM) : ''].join('');
    return `<tr data-hour="${h.hour}"><td ${cell}>${h.label}</td><td ${cell}>${num(h.destroyed)}</td><td ${cell}>${num(byUser)}</td><td ${cell}>${num(h.bySystem)}</td><td style="padding:1px 8px;white-space:nowrap">${bar}</td></tr>`;
  });
  const head = 'style="padding:1px 8px;text-align:right;font-weight:600;color:#616e7c"';
  return `<table class="hours" style="border-collapse:collapse;font-size:13px">
<thead><tr><th ${head}>Hour</th><th ${head}>Rooms closed</th><th ${head}>By the owner <span style="color:${USER}">■</span></th><th ${head}>By the system <span style="color:${SYSTEM}">■</span></th><th></th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function segment(width: number, colour: string): string {
  return `<span style="display:inline-block;height:10px;width:${Math.max(1, width)}px;background:${colour}"></span>`;
}
