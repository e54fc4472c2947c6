/**
 * A body nested thousands of levels deep is refused with a 400 that says the
 * limit and kept in quarantine like any invalid body, not answered 500 on
 * every resend when the stack overflows further on.
 */
import { expect } from 'chai';
import { fixture, startTestService, type TestService } from '../helpers/service';

const QUERY = { SdkAppid: '1400000001' };

/** The production capture with `depth` levels of arrays in one more field. */
function deepBody(depth: number, kind: 'array' | 'object'): string {
  const deep = kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
  return fixture('destroy-room.production-capture.json').replace('"CoverURL":""', `"CoverURL":"","Deep":${deep}`);
}

describe('POST /callback: deep JSON', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: ['logging'] });
  });
  after(() => svc.stop());

  for (const depth of [5_000, 100_000]) {
    for (const kind of ['array', 'object'] as const) {
      it(`answers ${depth} levels of ${kind}s 400 naming the nesting limit, quarantines the body and keeps serving`, async () => {
        const body = deepBody(depth, kind);
        const before = (await svc.service.store.listQuarantine()).length;
        const res = await svc.post(body, QUERY);
        expect(res.status).to.equal(400);
        expect(res.body.ActionStatus).to.equal('FAIL');
        expect(res.body.ErrorCode).to.equal(40001);
        expect(res.body.ErrorInfo).to.match(/^JSON nested deeper than 64 levels \(at position \d+\)/);

        const held = await svc.service.store.listQuarantine('held');
        expect(held.length).to.equal(before + 1);
        const entry = held.find((q) => q.raw === body);
        expect(entry, 'the body is in quarantine, byte for byte').to.not.equal(undefined);
        expect(entry!.reason).to.equal(res.body.ErrorInfo);
        expect(entry!.command).to.equal('Live.CallbackAfterDestroyRoom');

        const next = JSON.parse(fixture('destroy-room.production-capture.json'));
        next.RoomId = `after-${depth}-${kind}`;
        expect((await svc.post(next, QUERY)).status).to.equal(200);
        expect((await svc.get('/readyz')).status).to.equal(200);
      });
    }
  }

  it('answers a body of more than 20,000 objects and arrays 400, cheaply, and takes one of 19,000', async () => {
    const many = (n: number, room: string) => fixture('destroy-room.production-capture.json').replace('"CoverURL":""', `"CoverURL":"","Many":[${Array.from({ length: n }, () => '[]').join(',')}]`).replace('"RoomId":"436"', `"RoomId":"${room}"`);
    const refused = await svc.post(many(100_000, 'many-100000'), QUERY);
    expect(refused.status).to.equal(400);
    expect(refused.body.ErrorCode).to.equal(40001);
    expect(refused.body.ErrorInfo).to.match(/^JSON with more than 20000 objects and arrays \(at position \d+\): refused/);
    expect((await svc.post(many(19_000, 'many-19000'), QUERY)).status).to.equal(200);
  });

  it('still takes a body 61 levels deep', async () => {
    const body = deepBody(60, 'object').replace('"RoomId":"436"', '"RoomId":"deep-60"');
    const res = await svc.post(body, QUERY);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    await svc.waitForIdle();
  });
});
