/** Small helpers for writing HTML by hand, safely. */
import escapeHtml from 'escape-html';

/** Escapes text for an element body or a quoted attribute (room names come from users); null and undefined are empty. */
export function esc(value: unknown): string {
  return escapeHtml(String(value ?? ''));
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** 1234567 -> "1,234,567"; a mean keeps one decimal. */
export function num(n: number): string {
  return Number.isInteger(n) ? integer.format(n) : decimal.format(n);
}

export function percent(share: number | null): string {
  return share === null ? '–' : `${decimal.format(share * 100)}%`;
}
