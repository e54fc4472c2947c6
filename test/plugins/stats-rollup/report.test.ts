/**
 * The report a day gets, computed by the plugin from real records in a real
 * SQLite store, as the host wires it. Times are given as local wall-clock
 * times in the zone under test and turned into instants independently.
 */
import { expect } from 'chai';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock';
import { gift } from '../../decide/decider-plugin';
import { waitFor } from '../../helpers/service';
import { destroyRoom, localInstant, removeDir, startRollup, tmp, type Rollup } from './harness';

describe('stats-rollup: the daily report', function () {
  let rollup: Rollup | null = null;
  let clock: FakeClock | null = null;
  afterEach(async () => {
    clock?.restore();
    clock = null;
    if (rollup) {
      await rollup.close();
      removeDir(rollup.dataDir);
      rollup = null;
    }
  });

  describe('day edges in Asia/Shanghai (UTC+8)', () => {
    const tz = 'Asia/Shanghai';

    it('counts 23:59:59.500 local on that day (hour 23) and 00:00:00.000 local on the next (hour 0)', async () => {
      rollup = await startRollup({ timezone: tz });
      await rollup.deliver(destroyRoom(localInstant(tz, '2025-09-04T23:59:59.500'), { roomId: 'late-evening' }));
      await rollup.deliver(destroyRoom(localInstant(tz, '2025-09-05T00:00:00.000'), { roomId: 'midnight' }));
      // Just inside the day at its start, too: 00:00:00.000 on the 4th.
      await rollup.deliver(destroyRoom(localInstant(tz, '2025-09-04T00:00:00.000'), { roomId: 'first-instant' }));

      await rollup.build('2025-09-04');
      await rollup.build('2025-09-05');
      const d4 = rollup.report('2025-09-04');
      const d5 = rollup.report('2025-09-05');

      expect(d4.timezone).to.equal(tz);
      expect(d4.period).to.deep.equal({ from: '2025-09-04T00:00:00.000+08:00', to: '2025-09-05T00:00:00.000+08:00', hours: 24 });
      expect(d4.rooms.destroyed).to.equal(2);
      expect(d4.roomsPerHour[23].destroyed).to.equal(1);
      expect(d4.roomsPerHour[0].destroyed).to.equal(1);
      expect(d4.topRooms.map((r: { roomId: string }) => r.roomId).sort()).to.deep.equal(['first-instant', 'late-evening']);
      expect(d4.topRooms.find((r: { roomId: string }) => r.roomId === 'late-evening').closedAt).to.equal('2025-09-04T23:59:59.500+08:00');

      expect(d5.rooms.destroyed).to.equal(1);
      expect(d5.roomsPerHour[0].destroyed).to.equal(1);
      expect(d5.topRooms[0].roomId).to.equal('midnight');
      expect(d5.topRooms[0].closedAt).to.equal('2025-09-05T00:00:00.000+08:00');
    });
  });

  describe('day edges in America/New_York', () => {
    const tz = 'America/New_York';

    it('puts 23:59:59.500 and 00:00:00.000 local on their own days (EDT, UTC-4)', async () => {
      rollup = await startRollup({ timezone: tz });
      await rollup.deliver(destroyRoom(localInstant(tz, '2025-07-14T23:59:59.500'), { roomId: 'a' }));
      await rollup.deliver(destroyRoom(localInstant(tz, '2025-07-15T00:00:00.000'), { roomId: 'b' }));
      // Same instants read in UTC fall on the 15th: a UTC day would count both there.
      expect(new Date(localInstant(tz, '2025-07-14T23:59:59.500')).toISOString()).to.equal('2025-07-15T03:59:59.500Z');

      await rollup.build('2025-07-14');
      await rollup.build('2025-07-15');
      expect(rollup.report('2025-07-14').rooms.destroyed).to.equal(1);
      expect(rollup.report('2025-07-14').roomsPerHour[23].destroyed).to.equal(1);
      expect(rollup.report('2025-07-15').rooms.destroyed).to.equal(1);
      expect(rollup.report('2025-07-15').roomsPerHour[0].destroyed).to.equal(1);
    });

    it('has 23 hours on the spring-forward day and 25 on the fall-back day, bucketed by local hour', async () => {
      rollup = await startRollup({ timezone: tz });
      // 2025-03-09: 02:00 EST jumps to 03:00 EDT. 2025-11-02: 02:00 EDT falls back to 01:00 EST.
      await rollup.deliver(destroyRoom(Date.parse('2025-03-09T06:59:59.000Z'), { roomId: 'before-jump' })); // 01:59:59 EST
      await rollup.deliver(destroyRoom(Date.parse('2025-03-09T07:00:00.000Z'), { roomId: 'after-jump' })); // 03:00:00 EDT
      await rollup.deliver(destroyRoom(Date.parse('2025-11-02T05:30:00.000Z'), { roomId: 'first-1:30' })); // 01:30 EDT
      await rollup.deliver(destroyRoom(Date.parse('2025-11-02T06:30:00.000Z'), { roomId: 'second-1:30' })); // 01:30 EST
      await rollup.deliver(destroyRoom(Date.parse('2025-11-03T04:59:59.999Z'), { roomId: 'last-ms' })); // 23:59:59.999 EST

      await rollup.build('2025-03-09');
      await rollup.build('2025-11-02');
      const spring = rollup.report('2025-03-09');
      const fall = rollup.report('2025-11-02');

      expect(spring.period).to.deep.equal({ from: '2025-03-09T00:00:00.000-05:00', to: '2025-03-10T00:00:00.000-04:00', hours: 23 });
      expect(spring.roomsPerHour[1].destroyed).to.equal(1);
      expect(spring.roomsPerHour[2].destroyed).to.equal(0); // that hour did not exist
      expect(spring.roomsPerHour[3].destroyed).to.equal(1);

      expect(fall.period).to.deep.equal({ from: '2025-11-02T00:00:00.000-04:00', to: '2025-11-03T00:00:00.000-05:00', hours: 25 });
      expect(fall.rooms.destroyed).to.equal(3);
      expect(fall.roomsPerHour[1].destroyed).to.equal(2); // both passes of 01:xx
      expect(fall.roomsPerHour[23].destroyed).to.equal(1);
      expect(fall.roomsPerHour.reduce((n: number, h: { destroyed: number }) => n + h.destroyed, 0)).to.equal(3);
    });
  });


  it('builds again at catch-up a day whose report was built before it ended (--partial): the rooms after it count', async () => {
    const day = '2025-09-04';
    clock = fakeClock({ date: true, now: Date.parse(`${day}T12:00:00Z`) });
    const dataDir = tmp();
    rollup = await startRollup({ timezone: 'UTC', dataDir, options: { catchUpDays: 0 } });
    await rollup.deliver(destroyRoom(Date.parse(`${day}T09:00:00Z`)));
    expect(await rollup.plugin.runTask('report', { date: day, partial: 'true' })).to.match(/^2025-09-04: 1 room closed/);
    await rollup.deliver(destroyRoom(Date.parse(`${day}T15:00:00Z`))); // today's room: nothing marks the day stale
    await rollup.close();
    clock.restore();

    // Down at midnight, up the next morning: the catch-up finds the day's report, built at noon.
    clock = fakeClock({ date: true, now: Date.parse('2025-09-05T06:00:00Z') });
    rollup = await startRollup({ timezone: 'UTC', dataDir, options: { catchUpDays: 2 } });
    clock.tick(1000);
    await waitFor(() => rollup!.logs.some((l) => l.msg === `report of ${day} built (catch-up)`), 5000, 'the catch-up build');
    expect(rollup.report(day).rooms.destroyed).to.equal(2);
    // The noon build was not the day's publication: the afternoon's room is not a late one.
    expect(rollup.report(day).revision).to.deep.include({ revised: false, roomsArrivedLater: 0, firstGeneratedAt: '2025-09-05T06:00:01.000Z' });
  });

  it('deletes the decided gifts of days older than keepDays with their rooms, after the daily run', async () => {
    clock = fakeClock({ date: true, now: Date.parse('2025-09-10T12:00:00Z') });
    rollup = await startRollup({ timezone: 'UTC', options: { schedule: '* * * * * *', catchUpDays: 1, keepDays: 2 } });
    const decision = { verdict: 'allow' as const, code: 0, info: '', plugin: null, reason: null, by: 'deciders' as const, failures: [], ms: 1, budgetExceeded: false, at: 0 };
    const giftOf = (time: number) => JSON.parse(gift({ from: 'fan', time })) as Record<string, unknown>;
    await rollup.deliver(giftOf(1_757_000_000), { receivedAt: Date.parse('2025-09-05T12:00:00Z'), decision });
    await rollup.deliver(giftOf(1_757_000_001), { receivedAt: Date.parse('2025-09-10T11:00:00Z'), decision });
    clock.tick(1000); // the daily job, then its pruning
    await waitFor(() => rollup!.logs.some((l) => String(l.msg).startsWith('deleted 0 room records and 1 gift records of days before 2025-09-08')), 5000, 'the pruning');
    const left: number[] = [];
    for await (const r of rollup.store.records('stats-rollup').scan('gifts', 0, Number.MAX_SAFE_INTEGER)) left.push(r.at);
    expect(left).to.deep.equal([Date.parse('2025-09-10T11:00:00Z')]);
  });

  it('counts refused gifts by any reason a decider gives, "constructor" and "__proto__" included', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    const refusal = (reason: string) => ({ verdict: 'reject' as const, code: 1, info: 'no', plugin: 'guard', reason, by: 'deciders' as const, failures: [], ms: 1, budgetExceeded: false, at: 0 });
    const reasons = ['constructor', 'toString', '__proto__', 'constructor', 'daily-cap'];
    for (const [i, reason] of reasons.entries()) {
      const body = JSON.parse(gift({ from: `fan-${i}`, time: 1_757_000_000 + i })) as Record<string, unknown>;
      await rollup.deliver(body, { receivedAt: Date.parse('2025-09-05T12:00:00Z') + i, decision: refusal(reason) });
    }
    await rollup.build('2025-09-05');
    const gifts = rollup.report('2025-09-05').gifts;
    expect(gifts.rejected).to.equal(5);
    expect(Object.entries(gifts.rejectedByReason).sort()).to.deep.equal([['__proto__', 1], ['constructor', 2], ['daily-cap', 1], ['toString', 1]]);
    expect(rollup.html('2025-09-05')).not.to.match(/NaN|native code/);
  });

  it('leaves at catch-up a report built in another time zone: replacing it is the operator\'s call (--timezone)', async () => {
    // Built in Shanghai just after its day ended (00:05 on the 5th there, still the 4th in New York).
    clock = fakeClock({ date: true, now: Date.parse('2025-09-04T16:05:00Z') });
    const dataDir = tmp();
    rollup = await startRollup({ timezone: 'Asia/Shanghai', dataDir, options: { catchUpDays: 0 } });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T12:00:00Z')));
    await rollup.build('2025-09-04');
    await rollup.close();
    clock.restore();

    // The service moves to New York; a room of the 5th there gives the catch-up something to build after the 4th.
    clock = fakeClock({ date: true, now: Date.parse('2025-09-06T12:00:00Z') });
    rollup = await startRollup({ timezone: 'America/New_York', dataDir, options: { catchUpDays: 3 } });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-05T16:00:00Z')));
    clock.tick(1000);
    await waitFor(() => rollup!.logs.some((l) => l.msg === 'report of 2025-09-05 built (catch-up)'), 5000, 'the catch-up to reach the 5th');
    expect(rollup.logs.filter((l) => l.msg === 'report of 2025-09-04 built (catch-up)')).to.deep.equal([]);
    expect(rollup.report('2025-09-04').timezone).to.equal('Asia/Shanghai');

    // Nor does a late room of that day replace it: it says so.
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T20:00:00Z')));
    clock.tick(60_000); // past reviseDelayMs
    await waitFor(() => rollup!.logs.some((l) => l.level === 'warn' && l.date === '2025-09-04'), 5000, 'the warning about the late room');
    expect(rollup.logs.find((l) => l.level === 'warn' && l.date === '2025-09-04')!.msg).to.contain('built in Asia/Shanghai: it stays as built');
    expect(rollup.logs.filter((l) => String(l.msg).startsWith('report of 2025-09-04 built'))).to.deep.equal([]);
    expect(rollup.report('2025-09-04').timezone).to.equal('Asia/Shanghai');
  });
  it('counts a repeated delivery of the same event once', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    const body = destroyRoom(Date.parse('2025-09-04T10:00:00Z'), { statistic: { TotalViewers: 42 } });
    await rollup.deliver(body);
    await rollup.deliver(body); // Tencent resent it: same idempotency key
    await rollup.deliver(body, { attempt: 2 }); // a retried delivery
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T11:00:00Z'), { statistic: { TotalViewers: 8 } }));

    await rollup.build('2025-09-04');
    const r = rollup.report('2025-09-04');
    expect(r.rooms.destroyed).to.equal(2);
    expect(r.totals.TotalViewers).to.equal(50);
  });

  it('counts rooms without statistics apart: not in the totals, not ranked, not zeros', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    const at = Date.parse('2025-09-04T08:00:00Z');
    await rollup.deliver(destroyRoom(at, { roomId: 'measured', statistic: { TotalViewers: 7, TotalGiftCoins: 70 } }));
    await rollup.deliver(destroyRoom(at + 1, { roomId: 'unmeasured-1', eventType: 'DestroyBySystem', statistic: null }));
    await rollup.deliver(destroyRoom(at + 2, { roomId: 'unmeasured-2', eventType: 'DestroyBySystem', statistic: null }));

    await rollup.build('2025-09-04');
    const r = rollup.report('2025-09-04');
    expect(r.rooms).to.deep.equal({
      destroyed: 3,
      byEventType: { DestroyByUser: 1, DestroyBySystem: 2 },
      closedBySystemShare: 0.6667,
      withStatistic: 1,
      withoutStatistic: 2,
    });
    expect(r.totals).to.deep.equal({ TotalViewers: 7, TotalGiftsSent: 2, TotalGiftCoins: 70, TotalUniqueGiftSenders: 1, TotalLikesReceived: 5 });
    expect(r.topRooms.map((t: { roomId: string }) => t.roomId)).to.deep.equal(['measured']);
    expect(r.topRoomsByGiftCoins.map((t: { roomId: string }) => t.roomId)).to.deep.equal(['measured']);
    expect(r.roomsPerHour[8]).to.deep.equal({ hour: 8, label: '08:00', destroyed: 3, bySystem: 2 });
    expect(rollup.html('2025-09-04')).to.contain('Without statistics');
  });

  it('shows no totals, not zeros, on the page of a day whose rooms all came without statistics', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T08:00:00Z'), { statistic: null }));
    await rollup.build('2025-09-04');
    expect(rollup.report('2025-09-04').rooms).to.include({ destroyed: 1, withStatistic: 0, withoutStatistic: 1 });
    const html = rollup.html('2025-09-04')!;
    expect(html).to.contain('<h3>Viewers</h3><p class="value">–</p><p class="note">no room of this day carried Statistic</p>');
    expect(html).not.to.match(/<h3>Gift coins<\/h3><p class="value">0</);
  });

  it('ranks the top 10 by viewers and by gift coins, ties broken by close time', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    const at = Date.parse('2025-09-04T00:00:00Z');
    for (let i = 0; i < 15; i++) {
      await rollup.deliver(destroyRoom(at + i * 60_000, { roomId: `v${i}`, statistic: { TotalViewers: i * 10, TotalGiftCoins: 1000 - i } }));
    }
    await rollup.deliver(destroyRoom(at + 20 * 60_000, { roomId: 'tie-late', statistic: { TotalViewers: 140, TotalGiftCoins: 0 } }));

    await rollup.build('2025-09-04');
    const r = rollup.report('2025-09-04');
    expect(r.topRooms).to.have.length(10);
    expect(r.topRooms.map((t: { roomId: string }) => t.roomId).slice(0, 4)).to.deep.equal(['v14', 'tie-late', 'v13', 'v12']);
    expect(r.topRooms[0]).to.include({ rank: 1, roomId: 'v14', roomName: 'Room v14', owner: '144115216631667826', eventType: 'DestroyByUser', TotalViewers: 140 });
    expect(r.topRoomsByGiftCoins.map((t: { roomId: string }) => t.roomId).slice(0, 3)).to.deep.equal(['v0', 'v1', 'v2']);
    expect(r.topRoomsByGiftCoins).to.have.length(10);
  });

  it('compares with the previous day and the 7-day average, null where there is no data', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    const day = (d: string, hh = '12') => Date.parse(`${d}T${hh}:00:00Z`);
    // 08-29: 1 room (100 viewers); 09-01: 2 rooms (100 each); 09-03: 1 room (100 viewers); nothing else.
    await rollup.deliver(destroyRoom(day('2025-08-29'), { statistic: { TotalViewers: 100 } }));
    await rollup.deliver(destroyRoom(day('2025-09-01'), { statistic: { TotalViewers: 100 } }));
    await rollup.deliver(destroyRoom(day('2025-09-01', '13'), { statistic: { TotalViewers: 100 } }));
    await rollup.deliver(destroyRoom(day('2025-09-03'), { statistic: { TotalViewers: 100 } }));
    // 09-04: 3 rooms, 150 viewers each.
    for (let i = 0; i < 3; i++) await rollup.deliver(destroyRoom(day('2025-09-04') + i, { statistic: { TotalViewers: 150 } }));

    await rollup.build('2025-09-04');
    const change = rollup.report('2025-09-04').change;
    expect(change.previousDay.date).to.equal('2025-09-03');
    expect(change.previousDay.destroyed).to.deep.equal({ baseline: 1, change: 2, changePct: 200 });
    expect(change.previousDay.TotalViewers).to.deep.equal({ baseline: 100, change: 350, changePct: 350 });
    // Days with data in 08-28..09-03: 08-29 (1 room, 100), 09-01 (2, 200), 09-03 (1, 100).
    expect(change.sevenDayAverage).to.include({ from: '2025-08-28', to: '2025-09-03', days: 3 });
    expect(change.sevenDayAverage.destroyed).to.deep.equal({ baseline: 1.33, change: 1.67, changePct: 125 });
    expect(change.sevenDayAverage.TotalViewers).to.deep.equal({ baseline: 133.33, change: 316.67, changePct: 237.5 });
    // A baseline of 0 has no percentage.
    expect(change.previousDay.TotalGiftCoins).to.deep.equal({ baseline: 100, change: 200, changePct: 200 });

    // 09-02 had no rooms and no report: "no data", not zero.
    await rollup.build('2025-09-03');
    expect(rollup.report('2025-09-03').change.previousDay).to.equal(null);
    expect(rollup.report('2025-09-03').change.sevenDayAverage.days).to.equal(2);
    // Nothing at all in the week before 08-29.
    await rollup.build('2025-08-29');
    expect(rollup.report('2025-08-29').change).to.deep.equal({ previousDay: null, sevenDayAverage: null });
  });

  it('shows a percentage only against a non-zero baseline', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-03T12:00:00Z'), { statistic: { TotalGiftCoins: 0 } }));
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T12:00:00Z'), { statistic: { TotalGiftCoins: 30 } }));
    await rollup.build('2025-09-04');
    expect(rollup.report('2025-09-04').change.previousDay.TotalGiftCoins).to.deep.equal({ baseline: 0, change: 30, changePct: null });
  });

  it('rebuilds a day to the same report apart from generatedAt', async () => {
    rollup = await startRollup({ timezone: 'Asia/Shanghai' });
    for (let i = 0; i < 30; i++) {
      await rollup.deliver(destroyRoom(localInstant('Asia/Shanghai', '2025-09-04T10:00:00.000') + i * 997_000, {
        eventType: i % 3 === 0 ? 'DestroyBySystem' : 'DestroyByUser',
        statistic: i % 5 === 0 ? null : { TotalViewers: (i * 7) % 11, TotalGiftCoins: (i * 13) % 7 },
      }));
    }
    await rollup.build('2025-09-04');
    const first = rollup.report('2025-09-04');
    const firstHtml = rollup.html('2025-09-04')!;
    await new Promise((r) => setTimeout(r, 5));
    await rollup.build('2025-09-04');
    const second = rollup.report('2025-09-04');
    expect(second.generatedAt).not.to.equal(first.generatedAt);
    expect({ ...second, generatedAt: null }).to.deep.equal({ ...first, generatedAt: null });
    expect(rollup.html('2025-09-04')!.replace(/generated [^<]*UTC/, '')).to.equal(firstHtml.replace(/generated [^<]*UTC/, ''));
    expect(first.revision).to.deep.equal({ firstGeneratedAt: first.generatedAt, revised: false, roomsArrivedLater: 0 });
  });

  it('rebuilds a reported day when a room of that day arrives late, and says so', async () => {
    // The day's rooms, the build and a burst of late rooms all come within reviseDelayMs (the
    // first room already starts it), and the start's catch-up (1 s) stays away: the clock is
    // moved by hand, so this holds however slowly a busy machine runs them.
    clock = fakeClock();
    rollup = await startRollup({ timezone: 'UTC', options: { reviseDelayMs: 500 } });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T09:00:00Z')));
    await rollup.build('2025-09-04');
    const before = rollup.report('2025-09-04');
    expect(before.rooms.destroyed).to.equal(1);

    // Two late rooms in a burst: gathered into one rebuild.
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T23:00:00Z')), { receivedAt: Date.now() + 1 });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T23:30:00Z')), { receivedAt: Date.now() + 1 });
    // The build logs once its report is fully written (the file comes first, the store's copy after).
    const builds = () => rollup!.logs.filter((l) => l.msg === 'report of 2025-09-04 built (late rooms)');
    clock.tick(500);
    await waitFor(() => builds().length > 0, 5000, 'the late-rooms rebuild');

    const after = rollup.report('2025-09-04');
    expect(after.rooms.destroyed).to.equal(3);
    expect(after.revision).to.deep.equal({ firstGeneratedAt: before.generatedAt, revised: true, roomsArrivedLater: 2 });
    expect(rollup.html('2025-09-04')).to.contain('Revised: 2 rooms arrived after this report was first published');
    expect(builds()).to.have.length(1);
  });

  it('counts as late a room received before the report but recorded after it (the plugin was behind)', async () => {
    clock = fakeClock();
    rollup = await startRollup({ timezone: 'UTC', options: { reviseDelayMs: 500 } });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T09:00:00Z')));
    // Tencent's callback came in an hour before the build; the plugin only gets to it now.
    const receivedEarlier = Date.now() - 3_600_000;
    await rollup.build('2025-09-04');
    const before = rollup.report('2025-09-04');
    clock.tick(1);
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T22:00:00Z')), { receivedAt: receivedEarlier });
    clock.tick(500);
    await waitFor(() => rollup!.logs.some((l) => l.msg === 'report of 2025-09-04 built (late rooms)'), 5000, 'the late-rooms rebuild');

    const after = rollup.report('2025-09-04');
    expect(after.rooms.destroyed).to.equal(2);
    expect(after.revision).to.deep.equal({ firstGeneratedAt: before.generatedAt, revised: true, roomsArrivedLater: 1 });
    expect(rollup.html('2025-09-04')).to.contain('Revised: 1 room arrived after this report was first published');
  });

  it('does not rebuild a day that has no report yet', async () => {
    rollup = await startRollup({ timezone: 'UTC', options: { reviseDelayMs: 0 } });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T09:00:00Z')));
    // The room marks its day stale; finding no report, the revise drops the mark instead of building.
    const records = rollup.store.records('stats-rollup');
    await waitFor(async () => (await records.get('stale', '2025-09-04')) === null, 5000, 'the stale mark to be dropped');
    expect(rollup.report('2025-09-04')).to.equal(null);
  });

  it('escapes what callbacks say in the HTML page', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    await rollup.deliver(destroyRoom(Date.parse('2025-09-04T09:00:00Z'), { roomId: 'x"><img src=x>', roomName: '<script>alert(1)</script>' }));
    await rollup.build('2025-09-04');
    const html = rollup.html('2025-09-04')!;
    expect(html).not.to.contain('<script>alert(1)</script>');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.to.contain('<img src=x>');
    expect(rollup.report('2025-09-04').topRooms[0].roomName).to.equal('<script>alert(1)</script>');
  });

  it('refuses a report task without a real date, saying what it needs', async () => {
    rollup = await startRollup({ timezone: 'UTC' });
    for (const date of ['2025-02-30', 'yesterday', '']) {
      const err = await rollup.build(date).then(() => null, (e: Error) => e);
      expect(err, date).to.be.instanceOf(Error);
      expect(err!.message).to.contain('needs date=YYYY-MM-DD');
    }
  });

  it('refuses a bad schedule or option at start, naming the file and key', async () => {
    for (const [options, env, expected] of [
      [{ schedule: '61 * * * *' }, {}, 'stats-rollup.json: schedule: must be a cron expression'],
      [{}, { LIVEHOOK_ROLLUP_SCHEDULE: 'every night' }, '(got "every night"; LIVEHOOK_ROLLUP_SCHEDULE sets it)'],
      [{ mailTo: ['not-an-address'] }, {}, 'stats-rollup.json: mailTo[0]: must be a valid email'],
      [{ catchUpDays: -1 }, {}, 'stats-rollup.json: catchUpDays: must be greater than or equal to 0'],
      [{ catchUpDays: 30, keepDays: 10 }, {}, 'stats-rollup.json: keepDays: must be at least catchUpDays (30): the catch-up builds days from their rooms (got 10)'],
      [{ keepDays: 0 }, {}, 'stats-rollup.json: keepDays: must be greater than or equal to 1'],
      [{ colour: 'blue' }, {}, 'unknown option "colour" (plugin "stats-rollup" does not take it)'],
      // A letter or two off an option it takes: named.
      [{ keepDay: 30 }, {}, 'stats-rollup.json: unknown option "keepDay" (plugin "stats-rollup" does not take it; did you mean "keepDays"?)'],
      // A key every plugin file may hold, misspelt, is named too.
      [{ isolaton: 'process' }, {}, 'stats-rollup.json: unknown option "isolaton" (plugin "stats-rollup" does not take it; did you mean "isolation"?)'],
    ] as const) {
      const err = await startRollup({ timezone: 'UTC', options, env }).then(
        async (r) => {
          await r.close();
          return null;
        },
        (e: Error) => e,
      );
      expect(err, JSON.stringify(options)).to.be.instanceOf(Error);
      expect(err!.message).to.contain(expected);
    }
  });

  it('builds an empty day as zeros with no top rooms and no share', async () => {
    // (keepDays: a day this old without rooms is otherwise refused as a likely typo)
    rollup = await startRollup({ timezone: 'Europe/Berlin', options: { keepDays: 36_500 } });
    const summary = await rollup.build('2025-09-04');
    expect(summary).to.match(/^2025-09-04: 0 rooms closed \(0 without statistics\) -> .*2025-09-04\.html$/);
    const r = rollup.report('2025-09-04');
    expect(r.rooms).to.deep.equal({ destroyed: 0, byEventType: { DestroyByUser: 0, DestroyBySystem: 0 }, closedBySystemShare: null, withStatistic: 0, withoutStatistic: 0 });
    expect(r.topRooms).to.deep.equal([]);
    expect(r.roomsPerHour).to.have.length(24);
  });
});
