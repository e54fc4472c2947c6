/** A failure that repeats during an outage: said at once, summed up every 10 s, and its end said. */
import { expect } from 'chai';
import pino from 'pino';
import { FailureSpell } from '../../src/log/failure-spell';
import { fakeClock, type FakeClock } from '../helpers/fake-clock';

describe('a spell of repeated failures in the log', () => {
  let clock: FakeClock;
  afterEach(() => clock.restore());

  it('says the first failure at once, sums up the rest every 10 s, and says when it works again', () => {
    clock = fakeClock({ date: true, now: Date.parse('2026-12-03T08:00:00Z') });
    const lines: Array<Record<string, unknown>> = [];
    const spell = new FailureSpell(pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }), 'group commits');

    spell.succeeded(); // nothing failed: nothing to say
    expect(lines).to.have.length(0);

    spell.failed({ events: 1 }, 'group commit failed; every event in it was refused');
    expect(lines.map((l) => l.msg)).to.deep.equal(['group commit failed; every event in it was refused (repeats are summed up every 10 s until group commits work again)']);
    for (let i = 0; i < 300; i++) spell.failed({ events: 2 }, 'group commit failed; every event in it was refused');
    clock.tick(9_999);
    expect(lines).to.have.length(1);
    clock.tick(1);
    expect(lines[1]).to.include({ level: 50, events: 2, repeated: 300, msg: '300 more failed since the last line; the latest: group commit failed; every event in it was refused' });

    clock.tick(2_000);
    spell.failed({ events: 3 }, 'group commit failed; every event in it was refused');
    clock.tick(500);
    spell.succeeded();
    // What was not said yet comes first, then the end of the spell, with how long and how many.
    expect(lines.slice(2).map((l) => l.msg)).to.deep.equal([
      '1 more failed since the last line; the latest: group commit failed; every event in it was refused',
      'group commits work again after 12.5 s; 302 failed meanwhile',
    ]);
    expect(lines[3]).to.include({ level: 30, failures: 302, failingMs: 12_500 });

    // The next outage is said at once again.
    spell.failed({}, 'group commit failed; every event in it was refused');
    expect(lines).to.have.length(5);
    expect(lines[4].level).to.equal(50);
  });
});
