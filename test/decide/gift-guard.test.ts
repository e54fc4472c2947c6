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
/** Midnight of 2026-12-01 in Asia/Shanghai (UTC+8), in seconds: still 2026-11-30 in UTC. */
const SHANGHAI_MIDNIGHT = Date.parse('2026-11-30T16:00:00Z') / 1000;

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

  it('caps a sender\'s coins per day of LIVEHOOK_TIMEZONE: a refused gift does not count, and the cap starts again at local midnight', async () => {
    const at = (secondsFromMidnight: number) => SHANGHAI_MIDNIGHT + secondsFromMidnight;
    expect((await send({ from: 'spender', time: at(-120), coins: 520 })).ErrorCode).to.equal(0);
    const over = await send({ from: 'spender', time: at(-10), coins: 520 });
    expect(over).to.deep.equal({ ActionStatus: 'OK', ErrorCode: 102102, ErrorInfo: 'You have reached today\'s gift limit.' });
    // 520 + 400 fits: the refused 520 was not counted
    expect((await send({ from: 'spender', time: at(-5), coins: 400 })).ErrorCode).to.equal(0);
    // a new day in Shanghai (the same UTC day): the cap is fresh
    expect((await send({ from: 'spender', time: at(5), coins: 520 })).ErrorCode).to.equal(0);
    expect((await send({ from: 'spender', time: at(10), coins: 520 })).ErrorCode).to.equal(102102);
  });

  it('limits a burst of gifts from one sender per minute', async () => {
    const minute = 1_764_000_600; // a minute's first second
    for (let i = 0; i < 3; i++) expect((await send({ from: 'burst', time: minute + i, coins: 1 })).ErrorCode).to.equal(0);
    expect(await send({ from: 'burst', time: minute + 3, coins: 1 })).to.deep.include({ ErrorCode: 102103 });
    expect((await send({ from: 'someone-else', time: minute + 4, coins: 1 })).ErrorCode).to.equal(0);
    expect((await send({ from: 'burst', time: minute + 60, coins: 1 })).ErrorCode).to.equal(0);
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
