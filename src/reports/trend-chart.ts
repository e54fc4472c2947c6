/**
 * The trend of GET /reports as an inline SVG drawn on the server, like the
 * daily page's chart: three panels over the same days (rooms closed, gift
 * coins, share closed by the system), each day's column a link to its page.
 * No script and nothing fetched (the page's CSP allows neither).
 */
import escapeHtml from 'escape-html';
import type { TrendDay } from './report-trend';

const WIDTH = 760;
const LEFT = 64;
const RIGHT = 12;
const PANEL_GAP = 28;
const PANELS = [
  { key: 'destroyed', title: 'Rooms closed', height: 110 },
  { key: 'giftCoins', title: 'Gift coins', height: 110 },
  { key: 'systemShare', title: 'Closed by the system', height: 80 },
] as const;
const TOP = 22;
const AXIS = 30;

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function trendChart(days: readonly TrendDay[]): string {
  const plotW = WIDTH - LEFT - RIGHT;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.7);
  const height = TOP + PANELS.reduce((sum, p) => sum + p.height + PANEL_GAP, 0) - PANEL_GAP + AXIS;
  const x = (i: number) => LEFT + i * slot + (slot - barW) / 2;

  const panels: string[] = [];
  let top = TOP;
  for (const panel of PANELS) {
    const bottom = top + panel.height;
    panels.push(`<text class="panel-title" x="${LEFT}" y="${f(top - 8)}">${panel.title}</text>`);
    if (panel.key === 'systemShare') panels.push(shareGrid(top, bottom));
    else {
      const max = Math.max(0, ...days.map((d) => d.figures?.[panel.key] ?? 0));
      const step = niceStep(max);
      const ceiling = Math.max(step, Math.ceil(max / step) * step);
      const y = (v: number) => bottom - (v / ceiling) * panel.height;
      // Counted in whole lines (a handful), not by adding steps up to the ceiling.
      const lines = Math.round(ceiling / step);
      for (let k = 0; k <= lines; k++) panels.push(gridLine(y(k * step), k === 0 ? '0' : compact.format(k * step)));
      days.forEach((d, i) => {
        const v = d.figures?.[panel.key];
        if (v === undefined || v === 0) return;
        panels.push(`<rect class="bar ${panel.key}" data-date="${d.date}" x="${f(x(i))}" y="${f(y(v))}" width="${f(barW)}" height="${f(bottom - y(v))}"/>`);
      });
    }
    top = bottom + PANEL_GAP;
  }

  // The share: a dot on each day that has one, joined by a line that breaks at a day without.
  const share = PANELS[2];
  const shareBottom = TOP + PANELS[0].height + PANEL_GAP + PANELS[1].height + PANEL_GAP + share.height;
  const shareY = (s: number) => shareBottom - s * share.height;
  const points = days.flatMap((d, i) => (d.figures?.systemShare == null ? [] : [{ i, d, cx: x(i) + barW / 2, cy: shareY(d.figures.systemShare) }]));
  const runs: Array<typeof points> = [];
  for (const p of points) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1].i === p.i - 1) run.push(p);
    else runs.push([p]);
  }
  const line = runs.filter((run) => run.length > 1).map((run) => `<polyline class="share" points="${run.map((p) => `${f(p.cx)},${f(p.cy)}`).join(' ')}"/>`).join('\n');
  const dots = points.map((p) => `<circle class="share" data-date="${p.d.date}" cx="${f(p.cx)}" cy="${f(p.cy)}" r="3"/>`);

  // Each day's column, the whole height, is a link to its page; its title says the figures.
  // About ten day labels, counted back from the newest day so that it always has one.
  const every = Math.ceil(days.length / 10);
  const links = days.map((d, i) => {
    const label = (days.length - 1 - i) % every === 0
      ? `<text class="tick day" x="${f(x(i) + barW / 2)}" y="${height - AXIS + 16}" text-anchor="middle">${shortDate(d.date)}</text>`
      : '';
    if (d.figures === null) return label;
    return `<a class="day" href="/reports/${d.date}"><title>${escapeHtml(dayTitle(d))}</title><rect class="hit" x="${f(LEFT + i * slot)}" y="${TOP}" width="${f(slot)}" height="${height - TOP}"/>${label}</a>`;
  });

  return `<svg class="trend" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="Rooms closed, gift coins and share closed by the system per day, ${days[0].date} to ${days[days.length - 1].date}">
${panels.join('\n')}
${line}
${dots.join('\n')}
${links.join('\n')}
</svg>`;
}

function shareGrid(top: number, bottom: number): string {
  return [0, 0.5, 1].map((s) => gridLine(bottom - s * (bottom - top), `${s * 100}%`)).join('\n');
}

function gridLine(y: number, label: string): string {
  return `<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${f(y)}" y2="${f(y)}"/><text class="tick" x="${LEFT - 6}" y="${f(y + 4)}" text-anchor="end">${label}</text>`;
}

function dayTitle(d: TrendDay): string {
  const fig = d.figures!;
  const share = fig.systemShare === null ? '–' : `${Math.round(fig.systemShare * 1000) / 10}%`;
  return `${d.date}: ${integer.format(fig.destroyed)} rooms closed, ${integer.format(fig.giftCoins)} gift coins, ${share} closed by the system`;
}

/** 2025-09-04 -> "4 Sep". */
function shortDate(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(Date.parse(`${date}T00:00:00Z`));
}

/** A round grid step (1, 2 or 5 times a power of ten) giving about four lines. */
function niceStep(max: number): number {
  if (max <= 4) return 1;
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].find((u) => u * power >= raw)! * power;
}

/** Short, stable coordinates. */
function f(n: number): string {
  return String(Math.round(n * 10) / 10);
}
