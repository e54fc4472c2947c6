/**
 * ingest.maxBodyBytesInFlight: bytes of callback bodies being received at
 * once. Past it a new callback is answered 503 with Retry-After before its
 * body is read, and the budget comes back as bodies finish.
 */
import http from 'node:http';
import { expect } from 'chai';
import { startTestService, waitFor, type TestService } from '../helpers/service';

const BUDGET = 5000;

interface Upload {
  req: http.ClientRequest;
  /** Resolves when the server said 100 Continue. */
  continued: Promise<void>;
  answer: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>;
}

function upload(svc: TestService, headers: Record<string, string>): Upload {
  const { hostname, port } = new URL(svc.url);
  const req = http.request({ host: hostname, port, method: 'POST', path: '/callback', agent: false, headers: { 'content-type': 'application/json', ...headers } });
  const continued = new Promise<void>((resolve) => req.once('continue', resolve));
  const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, continued, answer };
}

/** A valid callback body of exactly `size` bytes. */
function bodyOf(size: number, roomId: string): string {
  const head = `{"CallbackCommand":"Some.Unknown","RoomId":"${roomId}","Padding":"`;
  return head + 'x'.repeat(size - head.length - 2) + '"}';
}

async function post(svc: TestService, body: string): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${svc.url}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, headers: res.headers, body: JSON.parse(await res.text()) };
}

describe('POST /callback: ingest.maxBodyBytesInFlight', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: [], config: { http: { bodyLimitBytes: 4096 }, ingest: { maxBodyBytesInFlight: BUDGET } } });
  });
  after(() => svc.stop());

  it('answers 503 with Retry-After, before reading, while a declared body holds the budget; 200 once it is done', async () => {
    const first = upload(svc, { 'content-length': '3000', expect: '100-continue' });
    await first.continued; // its 3000 bytes are reserved now

    const refused = await post(svc, bodyOf(3000, 'second'));
    expect(refused.status).to.equal(503);
    expect(refused.headers.get('retry-after')).to.equal('1');
    expect(refused.body.ActionStatus).to.equal('FAIL');
    expect(refused.body.ErrorCode).to.equal(50301);
    expect(refused.body.ErrorInfo).to.contain('ingest.maxBodyBytesInFlight');
    // A small one still fits beside it.
    expect((await post(svc, bodyOf(1500, 'small'))).status).to.equal(200);

    first.req.end(bodyOf(3000, 'first'));
    expect((await first.answer).status).to.equal(200);
    expect((await post(svc, bodyOf(3000, 'second'))).status).to.equal(200);
  });

  it('counts a chunked body as its bytes arrive', async () => {
    const first = upload(svc, { 'transfer-encoding': 'chunked' });
    const body = bodyOf(4000, 'chunked');
    first.req.write(body.slice(0, 3500));
    // Once the server has counted the 3500 bytes, a 2000-byte body no longer fits.
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    await waitFor(async () => {
      const res = await post(svc, bodyOf(2000, `probe-${Date.now()}-${Math.random()}`));
      if (res.status === 503) refused = res;
      return res.status === 503;
    }, 5000, 'the chunked body to be counted');
    expect(refused!.headers.get('retry-after')).to.equal('1');
    expect(refused!.body.ErrorInfo).to.contain('being received');

    first.req.end(body.slice(3500));
    expect((await first.answer).status).to.equal(200);
    expect((await post(svc, bodyOf(2000, 'after-chunked'))).status).to.equal(200);
  });

  it('gives the budget back when a body is refused or its client goes away', async () => {
    const gone = upload(svc, { 'content-length': '3000', expect: '100-continue' });
    await gone.continued;
    gone.answer.catch(() => undefined);
    gone.req.destroy();
    const chunked = upload(svc, { 'transfer-encoding': 'chunked' });
    chunked.answer.catch(() => undefined);
    chunked.req.write(bodyOf(4000, 'chunked-gone').slice(0, 3500));
    await waitFor(async () => (await post(svc, bodyOf(2000, `probe-${Date.now()}-${Math.random()}`))).status === 503, 5000, 'the chunked body to be counted');
    chunked.req.destroy();
    const tooBig = await post(svc, bodyOf(4097, 'too-big'));
    expect(tooBig.status).to.equal(413);
    await waitFor(async () => (await post(svc, bodyOf(4000, `fits-${Date.now()}-${Math.random()}`))).status === 200, 5000, 'the budget to come back');
  });
});
