/**
 * The catch-up at start with more than one instance on one database (here:
 * plugin hosts on two connections to one SQLite file, as two processes
 * would have): each missed day, and each day left stale, is built by the
 * instance that claims it; the others skip it and say so.
 */
import { expect } from 'chai';
import { buildEvent } from '../../../src/callbacks/build-event';
import { openStore } from '../../../src/store/open-store';
import { waitFor } from '../../helpers/service';
import { destroyRoom, removeDir, startRollup, tmp, type Rollup } from './harness';

const HOUR = 3_600_000;
const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const builtLogs = (r: Rollup, day: string, reason: string) => r.logs.filter((l) => l.msg === `report of ${day} built (${reason})`);
const skipLogs = (r: Rollup, day: string) => r.logs.filter((l) => l.date === day && String(l.msg).startsWith(`report of ${day} not built here`));

describe('stats-rollup: the catch-up with several instances', function () {
  this.timeout(30_000);
  let dataDir: string;
  const running: Rollup[] = [];
  const start = async (options: Record<string, unknown> = {}) => {
    const r = await startRollup({ timezone: 'UTC', dataDir, options });
    running.push(r);
    return r;
  };
  /** Rooms stored by an instance that then stops (catch-up off, so it builds nothing). */
  const seed = async (days: string[], roomsPerDay = 2) => {
    const r = await startRollup({ timezone: 'UTC', dataDir, options: { catchUpDays: 0 } });
    for (const day of days) for (let i = 0; i < roomsPerDay; i++) await r.deliver(destroyRoom(Date.parse(`${day}T10:00:00Z`) + i * 60_000));
    await r.close();
  };
  /** Holds a day's build claim as another instance would: building it now, or (expired) dead mid-build. */
  const claimAsOtherInstance = async (day: string, { expired = false } = {}) => {
    const store = await openStore({ dataDir });
    try {
      const records = store.records('stats-rollup');
      const from = Date.parse(`${day}T00:00:00Z`);
      if (!expired) expect(await records.claim('building', day, from, 'instance-b', HOUR)).to.equal(true);
      // What its claim looks like an hour and a minute after it was taken.
      else await records.put('building', day, from, { owner: 'instance-b', claimedAt: Date.now() - HOUR - 60_000, expiresAt: Date.now() - 60_000 });
    } finally {
      await store.close();
    }
  };

  beforeEach(() => {
    dataDir = tmp();
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.close();
    removeDir(dataDir);
  });

  it('leaves a missed day to the instance that claimed it, and logs that it did', async () => {
    const missed = utcDay(-2);
    await seed([missed]);
    // Another instance is building it.
    await claimAsOtherInstance(missed);

    const a = await start();
    await waitFor(() => skipLogs(a, missed).length > 0, 5000, 'the catch-up to skip the claimed day');
    expect(skipLogs(a, missed)[0]).to.include({ level: 'info', reason: 'catch-up' });
    expect(String(skipLogs(a, missed)[0]!.msg)).to.equal(`report of ${missed} not built here (catch-up): another build holds the day's claim`);
    expect(builtLogs(a, missed, 'catch-up')).to.deep.equal([]);
    expect(a.report(missed)).to.equal(null);
  });

  it('builds a missed day whose claim has run out (its claimant died mid-build)', async () => {
    const missed = utcDay(-2);
    await seed([missed]);
    await claimAsOtherInstance(missed, { expired: true });

    const a = await start();
    await waitFor(() => builtLogs(a, missed, 'catch-up').length === 1, 5000, `the catch-up to build ${missed}`);
    expect(a.report(missed).rooms.destroyed).to.equal(2);
  });

  it('comes back to a missed day whose claim was held, and builds it once the claim runs out (its holder died mid-build)', async () => {
    const missed = utcDay(-2);
    await seed([missed]);
    const store = await openStore({ dataDir });
    try {
      // A claim whose holder is gone: it renews it no more, so it runs out.
      expect(await store.records('stats-rollup').claim('building', missed, Date.parse(`${missed}T00:00:00Z`), 'instance-b', 1_500)).to.equal(true);
    } finally {
      await store.close();
    }
    const a = await start();
    await waitFor(() => skipLogs(a, missed).length > 0, 5000, 'the catch-up to skip the claimed day');
    await waitFor(() => builtLogs(a, missed, 'catch-up').length === 1, 10_000, `a later catch-up to build ${missed}`);
    expect(a.report(missed).rooms.destroyed).to.equal(2);
  });

  it('rebuilds a day a late room came for once another build gives the day\'s claim back, not beside it', async () => {
    const day = utcDay(-2);
    await seed([day]);
    const a = await start({ catchUpDays: 0, reviseDelayMs: 50 });
    await a.build(day);
    // Another instance is building the day when the late room comes.
    const other = a.store.records('stats-rollup');
    expect(await other.claim('building', day, Date.parse(`${day}T00:00:00Z`), 'instance-b', HOUR)).to.equal(true);
    await a.deliver(destroyRoom(Date.parse(`${day}T20:00:00Z`)));
    await waitFor(() => a.logs.some((l) => l.msg === `report of ${day} not built here (late rooms): another build holds the day's claim`), 5000, 'the rebuild to find the claim held');
    expect(builtLogs(a, day, 'late rooms')).to.deep.equal([]);

    expect(await other.release('building', day, 'instance-b')).to.equal(true);
    await waitFor(() => builtLogs(a, day, 'late rooms').length === 1, 5000, 'the rebuild once the claim is back');
    expect(a.report(day).revision).to.include({ revised: true, roomsArrivedLater: 1 });
  });

  it('builds each missed day, and rebuilds each stale day, on one of two instances starting together', async () => {
    const missed = [utcDay(-4), utcDay(-3), utcDay(-2)];
    const stale = utcDay(-5);
    await seed([...missed, stale]);
    // The stale day: reported, then a room of it arrives and the instance stops before its rebuild.
    const first = await startRollup({ timezone: 'UTC', dataDir, options: { catchUpDays: 0, reviseDelayMs: 3_600_000 } });
    await first.build(stale);
    await first.deliver(destroyRoom(Date.parse(`${stale}T20:00:00Z`)));
    await first.close();

    const [a, b] = await Promise.all([start(), start()]);
    await waitFor(() => missed.every((day) => a.report(day) !== null), 10_000, 'the missed days to be built');
    await waitFor(() => [a, b].flatMap((r) => builtLogs(r, stale, 'late rooms')).length === 1, 10_000, 'the stale day to be rebuilt');
    // Both catch-ups are over: each instance built the day or logged why not (or found it listed already).
    await new Promise((r) => setTimeout(r, 500));

    for (const day of missed) {
      const builders = [a, b].filter((r) => builtLogs(r, day, 'catch-up').length > 0);
      expect(builders, `instances that built ${day}`).to.have.length(1);
      expect(builtLogs(builders[0]!, day, 'catch-up')).to.have.length(1);
      expect(a.report(day).rooms.destroyed).to.equal(2);
    }
    expect([a, b].flatMap((r) => builtLogs(r, stale, 'late rooms'))).to.have.length(1);
    expect(a.report(stale).revision).to.include({ revised: true, roomsArrivedLater: 1 });
    // The two ran side by side: at least one day was claimed by one while the other was looking at it.
    expect([...missed, stale].flatMap((day) => [...skipLogs(a, day), ...skipLogs(b, day)]).length).to.be.at.least(1);
  });

  it('waits for the backlog of stored events before it builds: a report holds every room acknowledged before it', async () => {
    const day = utcDay(-1);
    // Three rooms of yesterday are in the log (acknowledged), and the plugin has handled one of them:
    // after a restart, or with the plugin switched off for a while, the rest is a backlog.
    const bodies = [0, 1, 2].map((i) => destroyRoom(Date.parse(`${day}T10:00:00Z`) + i * 60_000));
    const log = await openStore({ dataDir });
    for (const body of bodies) await log.append(buildEvent({ raw: JSON.stringify(body), query: { SdkAppid: '1400000001' }, receivedAt: Date.now() }));
    const end = await log.latestSeq();
    await log.setCursor('stats-rollup', 0);
    await log.close();

    const a = await start({ catchUpDays: 3 });
    await a.deliver(bodies[0]);
    // The catch-up starts a second after init: it must not build the day with one room of three.
    await new Promise((r) => setTimeout(r, 1_800));
    expect(a.report(day), 'built before the backlog was handled').to.equal(null);

    await a.deliver(bodies[1]);
    await a.deliver(bodies[2]);
    await a.store.setCursor('stats-rollup', end); // as the delivery loop saves it
    // (the log line comes once the report is written)
    await waitFor(() => builtLogs(a, day, 'catch-up').length === 1, 10_000, 'the catch-up to build the day');
    expect(a.report(day).rooms.destroyed).to.equal(3);
    expect(a.report(day).revision).to.include({ revised: false, roomsArrivedLater: 0 });
  });
});
