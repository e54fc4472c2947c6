/**
 * Rooms closed per local hour as an inline SVG bar chart: one bar per hour,
 * rooms closed by their owner stacked under rooms closed by the system.
 * No script, no external file: the page stays readable offline and in mail.
 */
import type { DailyReport } from '../daily-report';
import { esc, num } from './html';
import { plural } from '../plural';

const WIDTH = 760;
const HEIGHT = 280;
const PLOT = { left: 48, right: 12, top: 16, bottom: 36 };

export function hourChart(hours: DailyReport['roomsPerHour']): string {
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const max = Math.max(0, ...hours.map((h) => h.destroyed));
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => PLOT.top + plotH - (v / top) * plotH;
  const slot = plotW / hours.length;
  const barW = Math.max(2, slot * 0.7);

  const grid: string[] = [];
  for (let v = 0; v <= top; v += step) {
    grid.push(`<line class="grid" x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${f(y(v))}" y2="${f(y(v))}"/>`);
    grid.push(`<text class="tick" x="${PLOT.left - 6}" y="${f(y(v) + 4)}" text-anchor="end">${num(v)}</text>`);
  }

  const bars: string[] = [];
  const labels: string[] = [];
  hours.forEach((h, i) => {
    const x = PLOT.left + i * slot + (slot - barW) / 2;
    const byUser = h.destroyed - h.bySystem;
    const title = `${h.label}–${String((h.hour + 1) % 24).padStart(2, '0')}:00: ${plural(num(h.destroyed), 'room')} closed (${num(byUser)} by their owner, ${num(h.bySystem)} by the system)`;
    if (byUser > 0) {
      bars.push(`<rect class="bar user" data-hour="${h.hour}" x="${f(x)}" y="${f(y(byUser))}" width="${f(barW)}" height="${f(y(0) - y(byUser))}"><title>${esc(title)}</title></rect>`);
    }
    if (h.bySystem > 0) {
      bars.push(`<rect class="bar system" data-hour="${h.hour}" x="${f(x)}" y="${f(y(h.destroyed))}" width="${f(barW)}" height="${f(y(byUser) - y(h.destroyed))}"><title>${esc(title)}</title></rect>`);
    }
    if (h.hour % 2 === 0) labels.push(`<text class="tick" x="${f(x + barW / 2)}" y="${HEIGHT - PLOT.bottom + 16}" text-anchor="middle">${h.label.slice(0, 2)}</text>`);
  });

  const empty = max === 0 ? `<text class="empty" x="${PLOT.left + plotW / 2}" y="${PLOT.top + plotH / 2}" text-anchor="middle">No room closed this day</text>` : '';
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Rooms closed per hour">
${grid.join('\n')}
<line class="axis" x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${f(y(0))}" y2="${f(y(0))}"/>
${bars.join('\n')}
${labels.join('\n')}
<text class="tick" x="${PLOT.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">local hour</text>
${empty}
</svg>`;
}

/** A round grid step (1, 2 or 5 times a power of ten) giving about four lines. */
function niceStep(max: number): number {
  if (max <= 4) return 1;
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((u) => u * power >= raw)!;
  return unit * power;
}

/** Short, stable coordinates (the same report renders to the same bytes). */
function f(n: number): string {
  return String(Math.round(n * 10) / 10);
}
