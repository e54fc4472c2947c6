/** When a plugin counts as failed, and when as healthy again, on a clock moved by hand. */
import { expect } from 'chai';
import { CrashRecord } from '../../src/isolate/crash-record';
import { fakeClock, type FakeClock } from '../helpers/fake-clock';

describe('a plugin\'s crash record', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = fakeClock({ date: true });
  });
  afterEach(() => clock.restore());

  it('is failing after three crashes, and healthy again after a minute without one', () => {
    let healthy = 0;
    const record = new CrashRecord(() => healthy++);
    for (let i = 0; i < 3; i++) record.crashed();
    expect(record.failing).to.equal(true);
    clock.tick(59_000);
    expect(healthy).to.equal(0);
    clock.tick(1_000);
    expect(healthy).to.equal(1);
    expect(record.failing).to.equal(false);
    record.stop();
  });

  it('is healthy again a minute after it runs, when its init failed three times and it never crashed', () => {
    let healthy = 0;
    const record = new CrashRecord(() => healthy++);
    for (let i = 0; i < 3; i++) record.restartFailed();
    expect(record.failing).to.equal(true);
    clock.tick(10 * 60_000);
    expect(healthy, 'nothing runs yet: still failing').to.equal(0);
    expect(record.failing).to.equal(true);
    record.running();
    clock.tick(60_000);
    expect(healthy).to.equal(1);
    expect(record.failing).to.equal(false);
    record.stop();
  });
});
