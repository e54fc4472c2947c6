/**
 * Gifts that livehook was asked about (Live.CallbackBeforeSendGift, decided
 * by a deciding plugin such as gift-guard): one record per callback, and a
 * day's count of those let through and those refused, by reason.
 */
import type { CallbackEvent, PluginRecords } from 'livehook';
import { GIFTS } from './collections';

export interface GiftRecord {
  verdict: 'allow' | 'reject';
  /** The refusing rule (gift-guard: blocked-sender, frozen-room, daily-cap, rate-limit), or the plugin's name. */
  reason: string | null;
  coins: number;
}

export interface GiftCounts {
  allowed: number;
  rejected: number;
  /** Refusals per reason. */
  rejectedByReason: Record<string, number>;
  /** Coins of the gifts let through. */
  allowedCoins: number;
}

/** The record of a decided gift, or null for a gift that was not decided (no plugin decides gifts). */
export function giftRecordOf(event: CallbackEvent): GiftRecord | null {
  if (!event.decision) return null;
  const water = event.body.GiftWater as { Coins?: number } | undefined;
  return { verdict: event.decision.verdict, reason: event.decision.reason, coins: water?.Coins ?? 0 };
}

/**
 * When a gift counts: when it arrived, as gift-guard counts it against its
 * caps. Tencent waits for the answer to a gift, so that is a moment after
 * the Time it carries, and a far-off Time cannot file a gift under another
 * day's report.
 */
export function giftTime(event: CallbackEvent): number {
  return event.receivedAt;
}

/** The day's counts, or null when no decided gift arrived that day (the report then says nothing of gifts). */
export async function countGifts(records: PluginRecords, from: number, to: number): Promise<GiftCounts | null> {
  const counts: GiftCounts = { allowed: 0, rejected: 0, rejectedByReason: {}, allowedCoins: 0 };
  // A Map: a reason is any text a deciding plugin gives, "constructor" and "__proto__" included.
  const byReason = new Map<string, number>();
  for await (const { value } of records.scan<GiftRecord>(GIFTS, from, to)) {
    if (value.verdict === 'allow') {
      counts.allowed++;
      counts.allowedCoins += value.coins;
    } else {
      counts.rejected++;
      const reason = value.reason ?? 'unknown';
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
  }
  counts.rejectedByReason = Object.fromEntries(byReason);
  return counts.allowed + counts.rejected === 0 ? null : counts;
}
