/** The report page's gift section: shown only on days when a plugin decided gifts. */
import type { GiftCounts } from '../gift-tally';
import { esc, num } from './html';

export function giftSection(gifts: GiftCounts | undefined): string {
  if (!gifts) return '';
  const reasons = Object.entries(gifts.rejectedByReason).sort((a, b) => b[1] - a[1]);
  const rows = reasons.map(([reason, n]) => `<tr><td>${esc(reason)}</td><td class="n">${num(n)}</td></tr>`).join('\n');
  return `<section class="gifts">
<h2>Gifts decided</h2>
<p>${num(gifts.allowed)} let through (${num(gifts.allowedCoins)} coins), ${num(gifts.rejected)} refused.</p>
${reasons.length === 0 ? '' : `<table><thead><tr><th>Refused because</th><th class="n">Gifts</th></tr></thead><tbody>\n${rows}\n</tbody></table>`}
</section>`;
}
