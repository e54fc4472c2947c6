/**
 * The rules, in the order they are cheapest to check: lists first (memory),
 * then the counters (one atomic store call for both caps, so a refused gift
 * counts against neither and two instances cannot both let the last one
 * through).
 */
import { inject, injectable } from 'tsyringe';
import { allow, reject, type CallbackEvent, type Decision, type PluginContext, type PluginHandler, type PluginRecords } from 'livehook';
import type { Answer, GuardOptions } from './options';
import { localDay } from './local-day';

const DAY_COUNTERS = 'coins-per-day';
const MINUTE_COUNTERS = 'gifts-per-minute';
/** Counters older than this are deleted (a day's counter is needed until the day is over everywhere). */
const KEEP_MS = 3 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

interface GiftWater {
  From_Account: string;
  Count?: number;
  Coins?: number;
}

@injectable()
export class GiftGuard implements PluginHandler {
  private readonly blocked: ReadonlySet<string>;
  private readonly frozen: ReadonlySet<string>;
  private readonly dayOf: (ms: number) => string;
  private prunedAt = 0;

  constructor(
    @inject('options') private readonly options: GuardOptions,
    @inject('store') private readonly records: PluginRecords,
    @inject('context') context: PluginContext,
  ) {
    this.blocked = new Set(options.blockSenders);
    this.frozen = new Set(options.frozenRooms);
    this.dayOf = localDay(context.timezone);
  }

  async decide(event: CallbackEvent): Promise<Decision> {
    const gift = event.body.GiftWater as GiftWater;
    const sender = gift.From_Account;
    const { answers, maxCoinsPerSenderPerDay: maxCoins, maxGiftsPerSenderPerMinute: maxGifts } = this.options;
    if (this.blocked.has(sender)) return refuse(answers.blockedSender, 'blocked-sender');
    if (event.roomId !== null && this.frozen.has(event.roomId)) return refuse(answers.frozenRoom, 'frozen-room');

    // The gift's day and minute are those of its arrival, not of the Time it
    // carries: Tencent waits for this answer, so the two are a moment apart,
    // and a gift whose Time is off (a wrong clock, a crafted body) must not
    // land on a counter of its own, outside the caps. A resend is answered
    // from the store and not counted again.
    const at = event.receivedAt;
    const changes = [];
    const rules: Array<{ answer: Answer; reason: string }> = [];
    if (maxCoins !== null) {
      changes.push({ collection: DAY_COUNTERS, key: `${this.dayOf(at)}|${sender}`, at, by: gift.Coins ?? 0, max: maxCoins });
      rules.push({ answer: answers.dailyCap, reason: 'daily-cap' });
    }
    if (maxGifts !== null) {
      changes.push({ collection: MINUTE_COUNTERS, key: `${Math.floor(at / 60_000)}|${sender}`, at, by: gift.Count ?? 1, max: maxGifts });
      rules.push({ answer: answers.rateLimit, reason: 'rate-limit' });
    }
    if (changes.length === 0) return allow();
    const { applied, values } = await this.records.add(changes);
    if (applied) return allow();
    const broken = changes.findIndex((c, i) => values[i] + c.by > c.max);
    const rule = rules[broken === -1 ? 0 : broken];
    return refuse(rule.answer, rule.reason);
  }

  /** After the answer: old counters go, at most once an hour. */
  async handle(): Promise<void> {
    const now = Date.now();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    await this.records.deleteBefore(DAY_COUNTERS, now - KEEP_MS);
    await this.records.deleteBefore(MINUTE_COUNTERS, now - KEEP_MS);
  }
}

function refuse(answer: Answer, reason: string): Decision {
  return reject({ code: answer.code, info: answer.info, reason });
}
