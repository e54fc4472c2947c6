/**
 * A deliberately tiny template language: `{{name}}` is replaced by a value.
 * No logic, no loops: an operator can reword a mail without learning a
 * template engine, and a typo in a placeholder is caught at start.
 */
import escapeHtml from 'escape-html';
import { oneLine } from 'livehook';

/** Every placeholder an alert template may use (see README.md). */
export const PLACEHOLDERS = [
  'roomId',
  'roomName',
  'owner',
  'operator',
  'eventType',
  'reason',
  'eventTime',
  'timezone',
  'sdkAppId',
  'command',
  'eventId',
  'statistics',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

const PLACEHOLDER = /\{\{\s*([A-Za-z]\w*)\s*\}\}/g;

/** Names used in `template` that are not placeholders (empty when it is fine). */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !known.has(name));
}

/**
 * Fill a plain-text template (subject or text body). Every value is made one
 * line (oneLine), because room names and accounts come from app users; only
 * `verbatim` text we built ourselves (the statistics lines) goes in as it is.
 */
export function fillText(template: string, values: TemplateValues, verbatim: Partial<TemplateValues> = {}): string {
  return template.replace(PLACEHOLDER, (match, name: string) => {
    if (name in verbatim) return verbatim[name as Placeholder]!;
    return name in values ? oneLine(values[name as Placeholder]) : match;
  });
}

/**
 * Fill an HTML template. Every value is HTML-escaped, because room names and
 * accounts come from app users; only `html` blocks we built ourselves (the
 * statistics table, already escaped inside) go in as markup.
 */
export function fillHtml(template: string, values: TemplateValues, markup: Partial<TemplateValues>): string {
  return template.replace(PLACEHOLDER, (match, name: string) => {
    if (name in markup) return markup[name as Placeholder]!;
    return name in values ? escapeHtml(values[name as Placeholder]) : match;
  });
}
