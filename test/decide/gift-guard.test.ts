import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestService, type TestService } from '../helpers/service';
import { gift } from './decider-plugin';

const QUERY = { SdkAppid: '1400000001' };
const GUARD = {
  enabled: true,
  capabilities: ['store'],
  blockSenders: ['spammer'],
  frozenRooms: ['room-under-review'],
  maxCoinsPerSenderPerDay: 1000,
  maxGiftsPerSenderPerMinute: 3,
};

describe('gift-guard: the built-in deciding plugin', () => {
  let svc: TestService;
  const send = async (opts: Parameters<typeof gift>[0]) => (await svc.post(gift(opts), QUERY)).body as { ErrorCode: number; ErrorInfo: string };

  before(async () => {
    svc = await startTestService({
      onlyPlugins: ['gift-guard'],
      plugins: { 'gift-guard': GUARD },
      env: { LIVEHOOK_TIMEZONE: 'Asia/Shanghai' },
    });
  });
  after(() => svc.stop());

  it('refuses a blocked sender (ErrorCode 1) and a frozen room (its app code and text), and lets others through', async () => {
    expect(await send({ from: 'spammer', time: 1_764_000_001 })).to.deep.include({ ErrorCode: 1, ErrorInfo: '' });
    expect(await send({ from: 'fan', room: 'room-under-review', time: 1_764_000_002 })).to.deep.include({ ErrorCode: 102101, ErrorInfo: 'Gifts are paused in this room.' });
    expect(await send({ from: 'fan', time: 1_764_000_003, coins: 1 })).to.deep.include({ ErrorCode: 0 });
  });

  it('caps a sender\'s coins per day: a refused gift does not count (the day\'s turn is in gift-guard-clock.test.ts)', async () => {
    expect((await send({ from: 'spender', time: 1_764_000_100, coins: 520 })).ErrorCode).to.equal(0);
    const over = await send({ from: 'spender', time: 1_764_000_101, coins: 520 });
    expect(over).to.deep.equal({ ActionStatus: 'OK', ErrorCode: 102102, ErrorInfo: 'You have reached today\'s gift limit.' });
    // 520 + 400 fits: the refused 520 was not counted
    expect((await send({ from: 'spender', time: 1_764_000_102, coins: 400 })).ErrorCode).to.equal(0);
    expect((await send({ from: 'spender', time: 1_764_000_103, coins: 100 })).ErrorCode).to.equal(102102);
  });

  it('refuses a gift whose Time is in milliseconds (it would count on a day far in the future, outside the cap)', async () => {
    const res = await svc.post(gift({ from: 'spender', time: 1_764_000_000_000 }), QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.contain('GiftWater.Time').and.contain('looks like milliseconds');
  });

  it('refuses a gift with an empty sender (every such gift would share one counter)', async () => {
    const res = await svc.post(gift({ from: '', time: 1_764_000_900 }), QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.contain('GiftWater.From_Account').and.contain('empty');
  });

  it('takes new lists on a config reload', async () => {
    expect((await send({ from: 'newly-blocked', time: 1_764_001_000, coins: 1 })).ErrorCode).to.equal(0);
    const file = path.join(svc.configDir, 'plugins', 'gift-guard.json');
    fs.writeFileSync(file, JSON.stringify({ ...GUARD, blockSenders: ['spammer', 'newly-blocked'] }));
    const result = await svc.service.reloader.reload('test');
    expect(result.applied).to.equal(true);
    expect((await send({ from: 'newly-blocked', time: 1_764_001_001, coins: 1 })).ErrorCode).to.equal(1);
  });
});

describe('decided gifts seen from outside: the event log line and the daily report', () => {
  let svc: TestService;
  let logFile: string;

  before(async () => {
    svc = await startTestService({
      onlyPlugins: ['gift-guard', 'stats-rollup', 'logging'],
      plugins: { 'gift-guard': GUARD, 'stats-rollup': { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'], catchUpDays: 0 } },
      env: { LIVEHOOK_TIMEZONE: 'Asia/Shanghai' },
    });
    logFile = path.join(svc.dataDir, 'logs', 'events.log');
  });
  after(() => svc.stop());

  it('writes the decision in the logging line, and counts gifts let through and refused by reason in the day\'s report', async () => {
    const noon = Date.parse('2026-11-25T04:00:00Z') / 1000; // 12:00 in Shanghai
    const shanghaiDay = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const firstDay = shanghaiDay();
    const bodies = [
      gift({ from: 'fan', time: noon, coins: 100 }),
      gift({ from: 'fan', time: noon + 1, coins: 200 }),
      gift({ from: 'spammer', time: noon + 2 }),
      gift({ from: 'fan', room: 'room-under-review', time: noon + 3 }),
      gift({ from: 'whale', time: noon + 120, coins: 1001 }),
    ];
    for (const body of bodies) await svc.post(body, QUERY);
    // a resend is answered again but counted once
    await svc.post(bodies[2], QUERY);
    await svc.waitForIdle();

    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { decision?: Record<string, unknown> });
    expect(lines).to.have.length(5);
    expect(lines[2].decision).to.include({ verdict: 'reject', code: 1, plugin: 'gift-guard', reason: 'blocked-sender', by: 'deciders' });
    expect(lines[0].decision).to.include({ verdict: 'allow', code: 0 });

    // Gifts count on the day they arrived (in Shanghai), whatever their Time: today's report, so far.
    // (Run across Shanghai's midnight, they arrived on two days: the two reports add up to the same.)
    const today = shanghaiDay();
    const gifts = { allowed: 0, rejected: 0, rejectedByReason: {} as Record<string, number>, allowedCoins: 0 };
    for (const day of new Set([firstDay, today])) {
      const summary = await svc.service.isolates.get('stats-rollup')!.runTask('report', { date: day, partial: 'true' });
      expect(summary).to.match(new RegExp(`^${day}`));
      const report = (await svc.get(`/reports/${day}.json`)).body as { gifts?: typeof gifts };
      if (!report.gifts) continue;
      gifts.allowed += report.gifts.allowed;
      gifts.rejected += report.gifts.rejected;
      gifts.allowedCoins += report.gifts.allowedCoins;
      for (const [reason, n] of Object.entries(report.gifts.rejectedByReason)) gifts.rejectedByReason[reason] = (gifts.rejectedByReason[reason] ?? 0) + n;
    }
    expect(gifts).to.deep.equal({
      allowed: 2,
      rejected: 3,
      rejectedByReason: { 'blocked-sender': 1, 'frozen-room': 1, 'daily-cap': 1 },
      allowedCoins: 300,
    });
    const page = (await svc.get(`/reports/${today}`)).body as string;
    expect(page).to.include('Gifts decided');
    if (firstDay === today) expect(page).to.include('2 let through (300 coins), 3 refused');
  });
});
