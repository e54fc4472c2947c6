/**
 * ZoneCalendar.dateOf answers from the last day's bounds instead of asking
 * Intl each time: minute by minute around clock changes, it must agree with
 * the wall clock Intl reads.
 */
import { expect } from 'chai';
import { ZoneCalendar } from '../../../plugins/stats-rollup/calendar';

function disagreements(timezone: string, fromIso: string, hours: number): string[] {
  const cached = new ZoneCalendar(timezone);
  const direct = new ZoneCalendar(timezone);
  const wrong: string[] = [];
  const from = Date.parse(fromIso);
  for (let t = from; t < from + hours * 3_600_000; t += 60_000) {
    const want = direct.wallClock(t).date;
    const got = cached.dateOf(t);
    if (got !== want) wrong.push(`${new Date(t).toISOString()}: ${got}, reads ${want}`);
  }
  return wrong;
}

describe('stats-rollup calendar: dateOf', () => {
  it('agrees with the wall clock through spring-forward and fall-back days', () => {
    expect(disagreements('America/New_York', '2024-03-09T00:00:00Z', 72)).to.deep.equal([]);
    expect(disagreements('America/New_York', '2024-11-02T00:00:00Z', 72)).to.deep.equal([]);
    expect(disagreements('Asia/Shanghai', '2024-12-30T00:00:00Z', 72)).to.deep.equal([]);
  });

  it('agrees where the clocks went back just after midnight, so a day began twice (St. John\'s, 29 October 2006)', () => {
    expect(disagreements('America/St_Johns', '2006-10-27T12:00:00Z', 72)).to.deep.equal([]);
  });
});
