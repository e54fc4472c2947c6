/**
 * CronScheduler on a real SQLite store, with real node-cron timers on a
 * seconds schedule. Every scheduler is stopped in afterEach, so mocha exits
 * on its own (no --exit): that is part of what is tested.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LivehookError } from '../../src/errors';
import { CronScheduler } from '../../src/scheduler/cron-scheduler';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { tempDir } from '../helpers/service';

describe('CronScheduler', function () {
  this.timeout(15_000);
  let dir: string;
  let store: Store;
  let logs: Array<Record<string, unknown>>;
  const schedulers: CronScheduler[] = [];

  const logger = () => pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  }));
  const make = (owner: string, namespace = 'demo', timezone = 'UTC') => {
    const s = new CronScheduler({ store, owner, namespace, timezone, logger: logger() });
    schedulers.push(s);
    return s;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async (check: () => boolean, ms: number, what: string) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  };

  beforeEach(async () => {
    dir = tempDir('livehook-cron-');
    store = await openStore({ dataDir: dir });
    logs = [];
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) {
      s.stop();
      await s.idle();
    }
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job on a seconds schedule, with the slot it belongs to', async () => {
    const slots: Date[] = [];
    make('a').schedule('tick', '* * * * * *', (run) => {
      slots.push(run.slot);
    });
    await until(() => slots.length >= 2, 4000, 'two runs');
    expect(slots[0].getMilliseconds()).to.equal(0);
    expect(slots[1].getTime() - slots[0].getTime()).to.equal(1000);
  });

  it('stops: no run after stop(), and no timer keeps the process alive', async () => {
    const s = make('a');
    let runs = 0;
    s.schedule('tick', '* * * * * *', () => {
      runs++;
    });
    await until(() => runs >= 1, 3000, 'a first run');
    s.stop();
    await s.idle();
    const after = runs;
    await sleep(2200);
    expect(runs).to.equal(after);
    expect(() => s.schedule('late', '* * * * * *', () => undefined)).to.throw(LivehookError, /stopped/);
  });

  it('runs each slot once when two instances share the database', async () => {
    // A second connection to the same file, as a second process would have.
    const other = await openStore({ dataDir: dir });
    const ran: Array<{ owner: string; slot: number }> = [];
    const one = make('instance-1');
    const two = new CronScheduler({ store: other, owner: 'instance-2', namespace: 'demo', timezone: 'UTC', logger: logger() });
    schedulers.push(two);
    for (const [owner, s] of [['instance-1', one], ['instance-2', two]] as const) {
      s.schedule('daily', '* * * * * *', (run) => {
        ran.push({ owner, slot: run.slot.getTime() });
      });
    }
    await sleep(3300);
    for (const s of schedulers) s.stop();
    await Promise.all(schedulers.map((s) => s.idle()));
    await other.close();

    const slots = ran.map((r) => r.slot);
    expect(slots.length).to.be.at.least(3);
    expect(new Set(slots).size).to.equal(slots.length); // no slot twice
    // Both fired every slot; the loser said so in its log.
    expect(logs.filter((l) => l.msg === 'slot already run by another instance').length).to.equal(slots.length);
  });

  it('keeps the same job name of two plugins apart', async () => {
    const ran: string[] = [];
    make('a', 'plugin-one').schedule('daily', '* * * * * *', () => {
      ran.push('one');
    });
    make('a', 'plugin-two').schedule('daily', '* * * * * *', () => {
      ran.push('two');
    });
    await until(() => ran.includes('one') && ran.includes('two'), 3000, 'both plugins to run');
  });

  it('logs a failing job with plugin and job name and keeps running it', async () => {
    let runs = 0;
    make('a', 'stats-rollup').schedule('daily-report', '* * * * * *', async () => {
      runs++;
      throw new Error('disk full');
    });
    await until(() => runs >= 2, 4000, 'a second run after a failure');
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
