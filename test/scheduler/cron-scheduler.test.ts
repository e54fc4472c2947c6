/**
 * CronScheduler on a real SQLite store, with real node-cron on a seconds
 * schedule. The clock is moved by hand (test/helpers/fake-clock.ts): each
 * tick fires exactly the slots it passes, so the tests neither sleep through
 * real seconds nor miss a tick on a busy machine. The store's I/O still takes
 * real time: after a tick the tests wait for its effect.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LivehookError } from '../../src/errors';
import { CronScheduler } from '../../src/scheduler/cron-scheduler';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { fakeClock, type FakeClock } from '../helpers/fake-clock';
import { tempDir, waitFor } from '../helpers/service';

describe('CronScheduler', function () {
  this.timeout(15_000);
  let dir: string;
  let store: Store;
  let logs: Array<Record<string, unknown>>;
  const schedulers: CronScheduler[] = [];
  let clock: FakeClock | null = null;
  /** What an instance logs for a slot another one claimed first (running it, or done with it). */
  const FOUND_CLAIMED = ['slot claimed by another instance', 'slot already run by another instance'];
  /** Half a second before a whole second: the first tick(500) reaches the next slot. */
  const START = Date.parse('2025-09-04T10:00:00.500Z');

  const logger = () => pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  }));
  const make = (owner: string, namespace = 'demo', timezone = 'UTC', holdMs?: number) => {
    const s = new CronScheduler({ store, owner, namespace, timezone, logger: logger(), holdMs });
    schedulers.push(s);
    return s;
  };
  const done = () => logs.filter((l) => l.msg === 'cron job done').length;

  beforeEach(async () => {
    dir = tempDir('livehook-cron-');
    store = await openStore({ dataDir: dir });
    logs = [];
  });
  afterEach(async () => {
    clock?.restore();
    clock = null;
    for (const s of schedulers.splice(0)) {
      s.stop();
      await s.idle();
    }
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job on a seconds schedule, with the slot it belongs to', async () => {
    clock = fakeClock({ date: true, now: START });
    const slots: Date[] = [];
    make('a').schedule('tick', '* * * * * *', (run) => {
      slots.push(run.slot);
    });
    clock.tick(500);
    await waitFor(() => done() === 1, 5000, 'the first run');
    clock.tick(1000);
    await waitFor(() => done() === 2, 5000, 'the second run');
    expect(slots.map((d) => d.toISOString())).to.deep.equal(['2025-09-04T10:00:01.000Z', '2025-09-04T10:00:02.000Z']);
  });

  it('stops: no run after stop()', async () => {
    clock = fakeClock({ date: true, now: START });
    const s = make('a');
    let runs = 0;
    s.schedule('tick', '* * * * * *', () => {
      runs++;
    });
    // A job of another plugin that keeps running: once it has run the later slots, the stopped one would have too.
    let control = 0;
    make('a', 'other').schedule('tick', '* * * * * *', () => {
      control++;
    });
    clock.tick(500);
    await waitFor(() => runs === 1 && control === 1, 5000, 'a first run of both');
    s.stop();
    await s.idle();
    for (let slot = 2; slot <= 3; slot++) {
      clock.tick(1000);
      await waitFor(() => control === slot, 5000, `slot ${slot} of the job still scheduled`);
    }
    expect(runs).to.equal(1);
    expect(() => s.schedule('late', '* * * * * *', () => undefined)).to.throw(LivehookError, /stopped/);
  });

  it('runs each slot once when two instances share the database', async () => {
    // A second connection to the same file, as a second process would have.
    const other = await openStore({ dataDir: dir });
    const ran: Array<{ owner: string; slot: number }> = [];
    clock = fakeClock({ date: true, now: START });
    const one = make('instance-1');
    const two = new CronScheduler({ store: other, owner: 'instance-2', namespace: 'demo', timezone: 'UTC', logger: logger() });
    schedulers.push(two);
    for (const [owner, s] of [['instance-1', one], ['instance-2', two]] as const) {
      s.schedule('daily', '* * * * * *', (run) => {
        ran.push({ owner, slot: run.slot.getTime() });
      });
    }
    // Both fire every slot at the same moment; each slot is run by one and found claimed (or run) by the other.
    const skipped = () => logs.filter((l) => FOUND_CLAIMED.includes(String(l.msg))).length;
    for (let slot = 1; slot <= 3; slot++) {
      clock.tick(slot === 1 ? 500 : 1000);
      await waitFor(() => ran.length === slot && skipped() === slot, 5000, `slot ${slot} to be run by one and skipped by the other`);
    }
    for (const s of schedulers) s.stop();
    await Promise.all(schedulers.map((s) => s.idle()));
    await other.close();

    const slots = ran.map((r) => r.slot);
    expect(slots.length).to.be.at.least(3);
    expect(new Set(slots).size).to.equal(slots.length); // no slot twice
    // Both fired every slot; the loser said so in its log.
    expect(logs.filter((l) => FOUND_CLAIMED.includes(String(l.msg))).length).to.equal(slots.length);
  });

  it('runs a slot whose claimant died mid-run once its claim runs out (real time)', async () => {
    const ran: number[] = [];
    make('survivor', 'demo', 'UTC', 400).schedule('daily', '* * * * * *', (run) => {
      ran.push(run.slot.getTime());
    });
    // An instance that claimed the next three slots and died: its claims are never renewed nor
    // marked done. (A slot this one claims first is simply its own.)
    const next = Math.ceil((Date.now() + 50) / 1000) * 1000;
    const dead = [next, next + 1000, next + 2000];
    const records = store.records('scheduler/demo');
    const claimedByDead: number[] = [];
    for (const slot of dead) {
      if (await records.claim('cron-slots', `daily@${new Date(slot).toISOString()}`, slot, 'dead-instance', Math.max(100, slot + 1500 - Date.now()))) claimedByDead.push(slot);
    }
    expect(claimedByDead.length, 'slots the dead instance held').to.be.at.least(2);
    await waitFor(() => dead.every((slot) => ran.includes(slot)), 10_000, 'the three slots to run here');
    expect(ran.filter((slot) => dead.includes(slot))).to.have.members(dead); // each once
    const takenOver = logs.filter((l) => String(l.msg).includes('stopped before its run ended')).map((l) => Date.parse(String(l.slot)));
    expect(takenOver.sort()).to.deep.equal(claimedByDead);
    // Each marked done by the instance that ran it (just after its task returned): no one runs them again.
    const doneBy = async (slot: number) => (await records.get<{ owner: string }>('cron-done', `daily@${new Date(slot).toISOString()}`))?.value.owner;
    await waitFor(async () => (await Promise.all(dead.map(doneBy))).every((owner) => owner !== undefined), 5000, 'the three slots to be marked done');
    for (const slot of dead) expect(await doneBy(slot)).to.equal('survivor');
  });

  it('keeps the same job name of two plugins apart', async () => {
    clock = fakeClock({ date: true, now: START });
    const ran: string[] = [];
    make('a', 'plugin-one').schedule('daily', '* * * * * *', () => {
      ran.push('one');
    });
    make('a', 'plugin-two').schedule('daily', '* * * * * *', () => {
      ran.push('two');
    });
    clock.tick(500);
    await waitFor(() => done() === 2, 5000, 'both plugins to run');
    expect(ran.sort()).to.deep.equal(['one', 'two']);
  });

  it('logs a failing job with plugin and job name and keeps running it', async () => {
    clock = fakeClock({ date: true, now: START });
    let runs = 0;
    make('a', 'stats-rollup').schedule('daily-report', '* * * * * *', async () => {
      runs++;
      throw new Error('disk full');
    });
    const failures = () => logs.filter((l) => l.level === 50).length;
    clock.tick(500);
    await waitFor(() => failures() === 1, 5000, 'the first run to fail');
    clock.tick(1000);
    await waitFor(() => runs === 2 && failures() === 2, 5000, 'a second run after a failure');
    const failure = logs.find((l) => l.level === 50);
    expect(failure).to.include({ plugin: 'stats-rollup', job: 'daily-report' });
    expect(failure!.msg).to.equal('cron job "daily-report" of plugin "stats-rollup" failed: disk full');
  });

  it('refuses a bad expression or time zone, naming plugin and job', () => {
    const s = make('a', 'stats-rollup');
    expect(() => s.schedule('daily-report', '61 * * * *', () => undefined)).to.throw(LivehookError, /plugin "stats-rollup", job "daily-report": "61 \* \* \* \*" is not a cron expression/);
    expect(() => s.schedule('daily-report', '5 0 * * *', () => undefined, { timezone: 'Mars/Olympus' })).to.throw(LivehookError, /"Mars\/Olympus" is not an IANA time zone/);
    s.schedule('daily-report', '5 0 * * *', () => undefined);
    expect(() => s.schedule('daily-report', '5 0 * * *', () => undefined)).to.throw(LivehookError, /already scheduled/);
  });

  it('reads the expression in the given time zone', async () => {
    // The next 00:05 in Asia/Shanghai is 16:05 UTC.
    const s = make('a', 'demo', 'Asia/Shanghai');
    s.schedule('daily', '5 0 * * *', () => undefined);
    const line = logs.find((l) => l.msg === 'cron job scheduled');
    expect(line).to.include({ timezone: 'Asia/Shanghai', expression: '5 0 * * *' });
    expect(String(line!.next)).to.match(/T16:05:00\.000Z$/);
  });

  describe('once()', () => {
    it('runs a key once across instances and restarts', async () => {
      let runs = 0;
      const task = () => {
        runs++;
      };
      expect(await make('a').once('mail:2025-09-04', task)).to.equal(true);
      expect(await make('b').once('mail:2025-09-04', task)).to.equal(false);
      const concurrent = await Promise.all([make('c').once('mail:2025-09-05', task), make('d').once('mail:2025-09-05', task)]);
      expect(concurrent.filter(Boolean)).to.have.length(1);
      expect(runs).to.equal(2);
    });

    it('gives the key back when the task fails, so a later call runs it', async () => {
      const s = make('a');
      const err = await s.once('mail:2025-09-04', () => {
        throw new Error('SMTP down');
      }).catch((e: Error) => e);
      expect(err).to.be.instanceOf(Error).with.property('message', 'SMTP down');
      let ran = false;
      expect(await s.once('mail:2025-09-04', () => {
        ran = true;
      })).to.equal(true);
      expect(ran).to.equal(true);
    });
  });
});
