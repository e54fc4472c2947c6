import http from 'node:http';
import { expect } from 'chai';
import { fixture, startTestService, type TestService } from '../helpers/service';

const QUERY = { SdkAppid: '1400000001', CallbackCommand: 'Live.CallbackAfterDestroyRoom', contenttype: 'json', ClientIP: '0.0.0.0', OptPlatform: 'RESTAPI' };
const seed = (): Record<string, unknown> => JSON.parse(fixture('destroy-room.seed-example.json'));

describe('POST /callback answers', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: ['logging'], config: { http: { bodyLimitBytes: 4096 } } });
  });
  after(() => svc.stop());

  it('answers the OK envelope for the seed example and the production capture', async () => {
    for (const name of ['destroy-room.seed-example.json', 'destroy-room.production-capture.json']) {
      const res = await svc.post(fixture(name), QUERY);
      expect(res.status, name).to.equal(200);
      expect(res.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    }
  });

  it('accepts every example body in the fixtures', async () => {
    for (const name of ['before-send-gift.json', 'change-owner.json', 'create-room.json', 'member-state-changed.json', 'room-destroy-roomkit.json', 'seat-info-changed.json', 'update-room-info.json']) {
      const res = await svc.post(fixture(name), QUERY);
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).to.equal(200);
    }
  });

  it('answers 400 naming the problem for malformed JSON', async () => {
    const res = await svc.post('{"CallbackCommand": "Live.CallbackAfterDestroyRoom",', QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ActionStatus).to.equal('FAIL');
    expect(res.body.ErrorCode).to.not.equal(0);
    expect(res.body.ErrorInfo).to.match(/JSON/);
  });

  it('answers 400 when the JSON value is not an object', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      const res = await svc.post(body, QUERY);
      expect(res.status, body).to.equal(400);
      expect(res.body.ErrorInfo).to.match(/object/);
    }
  });

  it('answers 400 for an empty body', async () => {
    const res = await svc.post('', QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.match(/empty/);
  });

  it('answers 400 naming a missing field (RoomId) and a wrong-typed one (EventTime)', async () => {
    const noRoom = seed();
    delete noRoom.RoomId;
    let res = await svc.post(noRoom, QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.contain('RoomId');

    const badTime = { ...seed(), EventTime: 'yesterday' };
    res = await svc.post(badTime, QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.contain('EventTime');

    const badType = { ...seed(), EventType: 'DestroyByAliens' };
    res = await svc.post(badType, QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.contain('EventType');
  });

  it('answers 400 naming RoomId for a RoomId sent as a JSON number of any size, and quarantines the body', async () => {
    const before = (await svc.service.store.listQuarantine('held')).length;
    const template = JSON.stringify({ ...seed(), RoomId: 'PLACEHOLDER' });
    for (const digits of ['5', '12345678901234567']) {
      const raw = template.replace('"PLACEHOLDER"', digits);
      const res = await svc.post(raw, QUERY);
      expect(res.status, digits).to.equal(400);
      expect(res.body.ActionStatus).to.equal('FAIL');
      expect(res.body.ErrorInfo).to.match(/^RoomId: must be a non-empty string/);
    }
    const held = await svc.service.store.listQuarantine('held');
    expect(held.length - before).to.equal(2);
    expect(held.map((q) => q.raw)).to.include(template.replace('"PLACEHOLDER"', '12345678901234567'));
  });

  it('answers 400 when CallbackCommand is missing from the body', async () => {
    const body = seed();
    delete body.CallbackCommand;
    const res = await svc.post(body, QUERY);
    expect(res.status).to.equal(400);
    expect(res.body.ErrorInfo).to.contain('CallbackCommand');
  });

  it('answers 405 with the FAIL envelope for methods other than POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${svc.url}/callback`, { method });
      expect(res.status, method).to.equal(405);
      expect(res.headers.get('allow')).to.equal('POST');
      const body = (await res.json()) as { ActionStatus: string; ErrorInfo: string };
      expect(body.ActionStatus).to.equal('FAIL');
      expect(body.ErrorInfo).to.contain(method);
    }
  });

  it('answers 413 over the configured size, with Connection: close', async () => {
    const big = { ...seed(), Padding: 'x'.repeat(5000) };
    const res = await svc.post(big, QUERY);
    expect(res.status).to.equal(413);
    expect(res.body.ActionStatus).to.equal('FAIL');
    expect(res.body.ErrorInfo).to.match(/too large/);
    expect(res.headers.get('connection')).to.equal('close');
  });

  it('answers 413 before the rest of an oversized upload is sent', async () => {
    const { hostname, port } = new URL(svc.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: hostname, port, method: 'POST', path: '/callback', headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Only the first bytes of the promised 50 MiB: the answer must come anyway.
      req.write('{"CallbackCommand":"Live.CallbackAfterDestroyRoom"');
    });
    expect(answer.status).to.equal(413);
    expect(JSON.parse(answer.body).ActionStatus).to.equal('FAIL');
  });

  it('never answers 5xx to garbage', async () => {
    const garbage = ['\u0000\u0001', '{"a":', '}{', '{"CallbackCommand":123}', '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":{},"EventTime":[]}', '\ufeff{}', 'x'.repeat(4000), '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomInfo":"nope"}', '{"__proto__":{"x":1},"CallbackCommand":"X.Y"}'];
    for (const body of garbage) {
      const res = await svc.post(body, QUERY);
      expect(res.status, JSON.stringify(body).slice(0, 60)).to.be.within(200, 499);
    }
  });

  it('answers 404 with the FAIL envelope on unknown paths, and /healthz 200', async () => {
    const missing = await svc.get('/nope');
    expect(missing.status).to.equal(404);
    expect(missing.body.ActionStatus).to.equal('FAIL');
    const health = await svc.get('/healthz');
    expect(health.status).to.equal(200);
  });
});
