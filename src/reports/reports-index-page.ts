/** The page of GET /reports: every day that has a report, newest first, self-contained. */

export function reportsIndexPage(dates: readonly string[]): string {
  const items = dates
    .map((d) => `<li><a href="/reports/${d}">${d}</a> <a class="raw" href="/reports/${d}.json">JSON</a></li>`)
    .join('\n');
  const body = dates.length > 0
    ? `<ul>\n${items}\n</ul>`
    : '<p class="empty">No reports yet. The daily job builds the previous day\'s report; <code>livehook report --date YYYY-MM-DD</code> builds any day.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>livehook reports</title>
<style>
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 40rem; padding: 0 1rem; color: #1f2933; }
  h1 { font-size: 1.4rem; }
  ul { list-style: none; padding: 0; }
  li { padding: .35rem 0; border-bottom: 1px solid #e4e7eb; }
  a { color: #1f5fbf; text-decoration: none; font-variant-numeric: tabular-nums; }
  a:hover { text-decoration: underline; }
  .raw { margin-left: 1rem; font-size: .85em; color: #616e7c; }
  .empty { color: #616e7c; }
</style>
</head>
<body>
<h1>Daily reports</h1>
${body}
</body>
</html>
`;
}
