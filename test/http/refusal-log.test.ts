/** Refused callbacks in the log: the first at once, then a line a minute with how many and the latest reason. */
import { expect } from 'chai';
import pino from 'pino';
import { LivehookError } from '../../src/errors';
import { refusalLog } from '../../src/http/refusal-log';
import { fakeClock, type FakeClock } from '../helpers/fake-clock';

describe('the log of refused callbacks', () => {
  let clock: FakeClock;
  afterEach(() => clock.restore());

  it('says the first refusal at once, then sums up the rest once a minute, and says nothing of other errors or routes', () => {
    clock = fakeClock({ date: true, now: Date.parse('2026-12-02T12:00:00Z') });
    const lines: Array<Record<string, unknown>> = [];
    const note = refusalLog(pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }));
    const sign = new LivehookError('AUTH_REQUIRED', 'Sign does not match: expected the hex SHA-256 of callback token + RequestTime');
    const app = new LivehookError('FORBIDDEN_APP', 'SdkAppid 1400000002 is not accepted by this livehook');

    note(sign, '/callback');
    expect(lines.map((l) => l.msg)).to.deep.equal([`callback refused for authentication: ${sign.message} (check the callback token and SDKAppIDs against Tencent's console; further refusals are summed up once a minute)`]);
    for (let i = 0; i < 499; i++) note(sign, '/callback');
    note(app, '/callback');
    note(new LivehookError('AUTH_REQUIRED', 'wrong admin token'), '/reports');
    note(new LivehookError('BAD_JSON', 'malformed JSON'), '/callback');
    clock.tick(59_000);
    expect(lines).to.have.length(1);
    clock.tick(1_000);
    expect(lines).to.have.length(2);
    expect(lines[1]).to.include({ level: 40, refused: 500, msg: `500 more callbacks refused for authentication in the last minute; the latest: ${app.message}` });

    // A quiet minute later, the next refusal is said at once again.
    clock.tick(120_000);
    note(sign, '/callback');
    expect(lines).to.have.length(3);
    expect(String(lines[2].msg)).to.match(/^callback refused for authentication: Sign does not match/);
  });
});
