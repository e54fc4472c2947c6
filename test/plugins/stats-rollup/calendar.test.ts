/**
 * ZoneCalendar.dateOf answers from the bounds of recent days instead of asking
 * Intl each time: minute by minute around clock changes, it must agree with
 * the wall clock Intl reads.
 */
import { expect } from 'chai';
import { ZoneCalendar } from '../../../plugins/stats-rollup/calendar';

/** `between`: instants asked for in turn with each minute, as a handler asks for a room's day and today's. */
function disagreements(timezone: string, fromIso: string, hours: number, between: number[] = []): string[] {
  const cached = new ZoneCalendar(timezone);
  const direct = new ZoneCalendar(timezone);
  const wrong: string[] = [];
  const from = Date.parse(fromIso);
  for (let t = from; t < from + hours * 3_600_000; t += 60_000) {
    for (const at of [t, ...between]) {
      const want = direct.wallClock(at).date;
      const got = cached.dateOf(at);
      if (got !== want) wrong.push(`${new Date(at).toISOString()}: ${got}, reads ${want}`);
    }
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

  it('agrees when asked for other days in turn (a late room\'s day, today), across clock changes', () => {
    const elsewhere = [Date.parse('2024-11-04T12:00:00Z'), Date.parse('2024-11-03T05:30:00Z'), Date.parse('2025-06-01T00:00:00Z')];
    expect(disagreements('America/New_York', '2024-11-02T00:00:00Z', 72, elsewhere)).to.deep.equal([]);
    expect(disagreements('America/St_Johns', '2006-10-27T12:00:00Z', 72, [Date.parse('2006-10-29T02:40:00Z')])).to.deep.equal([]);
  });
});
