/**
 * The page of GET /reports: the trend of the last days (./trend-chart.ts),
 * then every day that has a report, newest first. Self-contained.
 */
import type { TrendDay } from './report-trend';
import { trendChart } from './trend-chart';

export interface IndexPageOptions {
  /** Signed in with the session cookie: offer to sign out. */
  signedIn?: boolean;
}

export function reportsIndexPage(dates: readonly string[], trend: readonly TrendDay[] = [], options: IndexPageOptions = {}): string {
  const items = dates
    .map((d) => `<li><a href="/reports/${d}">${d}</a> <a class="raw" href="/reports/${d}.json">JSON</a></li>`)
    .join('\n');
  const body = dates.length > 0
    ? `<ul>\n${items}\n</ul>`
    : '<p class="empty">No reports yet. The daily job builds the previous day\'s report; <code>livehook report --date YYYY-MM-DD</code> builds any day.</p>';
  const chart = trend.length > 0
    ? `<section>
<h2>The last ${trend.length} day${trend.length === 1 ? '' : 's'}</h2>
<figure>
${trendChart(trend)}
<figcaption>Each day opens its report; a day without a report is left blank.</figcaption>
</figure>
</section>`
    : '';
  const signOut = options.signedIn ? '\n<footer><a href="/logout">Sign out</a></footer>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>livehook reports</title>
<style>
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 50rem; padding: 0 1rem; color: #1f2933; }
  h1 { font-size: 1.4rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  ul { list-style: none; padding: 0; }
  li { padding: .35rem 0; border-bottom: 1px solid #e4e7eb; }
  a { color: #1f5fbf; text-decoration: none; font-variant-numeric: tabular-nums; }
  a:hover { text-decoration: underline; }
  .raw { margin-left: 1rem; font-size: .85em; color: #616e7c; }
  .empty { color: #616e7c; }
  figure { margin: 0; padding: .75rem; border: 1px solid #e4e7eb; border-radius: 8px; overflow-x: auto; }
  figcaption { font-size: .8rem; color: #616e7c; margin-top: .25rem; }
  .trend { display: block; width: 100%; min-width: 40rem; height: auto; } /* narrower, the labels would shrink past reading: the figure scrolls */
  .trend .bar.destroyed { fill: #3b82c4; } .trend .bar.giftCoins { fill: #8e6ac8; }
  .trend polyline.share { fill: none; stroke: #e8833a; stroke-width: 2; } .trend circle.share { fill: #e8833a; }
  .trend .grid { stroke: #e4e7eb; } .trend .tick { font-size: 11px; fill: #616e7c; }
  .trend .panel-title { font-size: 12px; font-weight: 600; fill: #1f2933; }
  .trend .hit { fill: transparent; } .trend a.day:hover .hit { fill: rgba(31, 95, 191, .08); }
  footer { margin-top: 2rem; font-size: .9rem; }
</style>
</head>
<body>
<h1>Daily reports</h1>
${chart}
<h2>All days</h2>
${body}${signOut}
</body>
</html>
`;
}
