/**
 * gift-guard's counters on a clock the test moves by hand: the plugin runs
 * in this thread (test/helpers/plugin-in-thread.ts) with its real store, so
 * a test can stand at 23:59 in Shanghai and step over midnight. A gift
 * counts on the day and minute it arrives, whatever its Time says.
 */
import { expect } from 'chai';
import type { Decision } from '../../src/decide/decision';
import { fakeClock, type FakeClock } from '../helpers/fake-clock';
import { startPluginInThread, type PluginInThread } from '../helpers/plugin-in-thread';
import { gift } from './decider-plugin';

const GUARD = { capabilities: ['store'], maxCoinsPerSenderPerDay: 1000, maxGiftsPerSenderPerMinute: 3 };
/** Midnight of 2026-12-01 in Asia/Shanghai (UTC+8): still 2026-11-30 in UTC. */
const SHANGHAI_MIDNIGHT = Date.parse('2026-11-30T16:00:00Z');

describe('gift-guard counters, on a fake clock', () => {
  let clock: FakeClock | null = null;
  let guard: PluginInThread | null = null;
  let sent = 0;

  afterEach(async () => {
    clock?.restore();
    clock = null;
    await guard?.close();
    guard = null;
  });

  async function startAt(now: number): Promise<PluginInThread> {
    clock = fakeClock({ date: true, now });
    guard = await startPluginInThread('gift-guard', { config: GUARD, timezone: 'Asia/Shanghai' });
    return guard;
  }

  /** The ErrorCode gift-guard answers for a gift received now (0: let through). */
  async function send(opts: Parameters<typeof gift>[0]): Promise<number> {
    // Each gift its own Time by default, so that each is a new gift and not a resend.
    const decision = (await guard!.decide(JSON.parse(gift({ time: 1_764_000_000 + ++sent, ...opts })))) as Decision;
    return decision.verdict === 'allow' ? 0 : (decision.code ?? 1);
  }

  it('starts the daily cap again at local midnight, not at UTC midnight', async () => {
    await startAt(SHANGHAI_MIDNIGHT - 120_000);
    expect(await send({ from: 'spender', coins: 520 })).to.equal(0);
    clock!.tick(100_000);
    expect(await send({ from: 'spender', coins: 520 })).to.equal(102102);
    expect(await send({ from: 'spender', coins: 400 }), 'the refused 520 was not counted').to.equal(0);
    clock!.tick(30_000); // 00:00:10 in Shanghai, the same UTC day
    expect(await send({ from: 'spender', coins: 520 })).to.equal(0);
    expect(await send({ from: 'spender', coins: 520 })).to.equal(102102);
  });

  it('limits a burst of gifts from one sender per clock minute', async () => {
    await startAt(Date.parse('2026-11-25T04:00:00Z'));
    for (let i = 0; i < 3; i++) expect(await send({ from: 'burst', coins: 1 })).to.equal(0);
    expect(await send({ from: 'burst', coins: 1 })).to.equal(102103);
    expect(await send({ from: 'someone-else', coins: 1 })).to.equal(0);
    clock!.tick(60_000);
    expect(await send({ from: 'burst', coins: 1 })).to.equal(0);
  });

  it('counts a gift on the day it arrives, whatever Time it carries: a far-off Time does not escape the cap', async () => {
    await startAt(Date.parse('2026-11-25T04:00:00Z'));
    expect(await send({ from: 'spender', coins: 900 })).to.equal(0);
    const nextYear = Date.parse('2027-11-25T04:00:00Z') / 1000;
    const lastYear = Date.parse('2025-11-25T04:00:00Z') / 1000;
    expect(await send({ from: 'spender', coins: 520, time: nextYear })).to.equal(102102);
    expect(await send({ from: 'spender', coins: 520, time: lastYear })).to.equal(102102);
    // Four gifts "a minute apart" by their Time, all arriving in this minute: the fourth is one too many.
    for (let i = 0; i < 4; i++) expect(await send({ from: 'burst', coins: 1, time: nextYear + i * 60 })).to.equal(i < 3 ? 0 : 102103);
  });
});
