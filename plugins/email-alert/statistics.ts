import escapeHtml from 'escape-html';

/** Tencent's Statistic keys, in the order and words an operator reads them. */
const LABELS: Array<[key: string, label: string]> = [
  ['TotalViewers', 'Viewers (entries)'],
  ['TotalGiftsSent', 'Gifts sent'],
  ['TotalGiftCoins', 'Gift coins'],
  ['TotalUniqueGiftSenders', 'Unique gift senders'],
  ['TotalLikesReceived', 'Likes received'],
];

/** Said instead of a table of zeros: absent statistics were not measured as zero. */
export const NO_STATISTICS = 'Tencent sent no statistics for this room.';

/** Label/value rows: the known keys first, then any key Tencent adds later, as sent. */
function rows(statistic: Record<string, unknown>): Array<[string, string]> {
  const known = new Set(LABELS.map(([key]) => key));
  const out: Array<[string, string]> = LABELS.filter(([key]) => key in statistic).map(([key, label]) => [label, show(statistic[key])]);
  for (const [key, value] of Object.entries(statistic)) if (!known.has(key)) out.push([key, show(value)]);
  return out;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

export function statisticsText(statistic: Record<string, unknown> | null): string {
  if (!statistic) return NO_STATISTICS;
  const lines = rows(statistic);
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  return lines.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

export function statisticsHtml(statistic: Record<string, unknown> | null): string {
  if (!statistic) return `<p><em>${escapeHtml(NO_STATISTICS)}</em></p>`;
  const body = rows(statistic)
    .map(([label, value]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td align="right">${escapeHtml(value)}</td></tr>`)
    .join('');
  return `<table cellspacing="0" cellpadding="0">${body}</table>`;
}

/** One line for a digest row: `viewers 12, gifts 3, ...` or the no-statistics sentence. */
export function statisticsSummary(statistic: Record<string, unknown> | null): string {
  if (!statistic) return 'no statistics sent';
  return rows(statistic)
    .map(([label, value]) => `${label.toLowerCase()} ${value}`)
    .join(', ');
}
