/**
 * Expect: 100-continue is answered only after the SdkAppid/Sign check: a
 * stranger hears its 401/403 without being invited to upload, a caller
 * that passes gets its 100 Continue and its 200.
 */
import http from 'node:http';
import { expect } from 'chai';
import { expectedSign } from '../../src/http/auth';
import { fixture, startTestService, type TestService } from '../helpers/service';

const TOKEN = 'expect-continue-token';

interface Outcome {
  status: number;
  body: any;
  continued: boolean;
}

/** Sends headers only, and the body only if the server says 100 Continue. */
function postExpecting(svc: TestService, query: string, body: string): Promise<Outcome> {
  const { hostname, port } = new URL(svc.url);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request({
      host: hostname,
      port,
      method: 'POST',
      path: `/callback?${query}`,
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), continued }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('POST /callback: Expect: 100-continue', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: [], env: { LIVEHOOK_CALLBACK_TOKEN: TOKEN, LIVEHOOK_SDKAPPID: '1400000001' } });
  });
  after(() => svc.stop());

  const now = (): string => String(Math.floor(Date.now() / 1000));
  const body = fixture('destroy-room.production-capture.json');

  it('refuses a bad Sign with 401 and no 100 Continue: the body is never sent', async () => {
    const res = await postExpecting(svc, `SdkAppid=1400000001&RequestTime=${now()}&Sign=${'0'.repeat(64)}`, body);
    expect(res.status).to.equal(401);
    expect(res.continued).to.equal(false);
    expect(res.body.ActionStatus).to.equal('FAIL');
    expect(res.body.ErrorInfo).to.contain('Sign does not match');
  });

  it('refuses another SdkAppid with 403 and no 100 Continue', async () => {
    const time = now();
    const res = await postExpecting(svc, `SdkAppid=999&RequestTime=${time}&Sign=${expectedSign(TOKEN, time)}`, body);
    expect(res.status).to.equal(403);
    expect(res.continued).to.equal(false);
  });

  it('sends 100 Continue to a caller whose Sign is right, then stores the body', async () => {
    const time = now();
    const res = await postExpecting(svc, `SdkAppid=1400000001&RequestTime=${time}&Sign=${expectedSign(TOKEN, time)}`, body);
    expect(res.continued).to.equal(true);
    expect(res.status).to.equal(200);
    expect(res.body.ActionStatus).to.equal('OK');
  });

  it('answers an expectation it does not know with 417 and the envelope, in words', async () => {
    const { hostname, port } = new URL(svc.url);
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: hostname, port, method: 'POST', path: '/callback?SdkAppid=1400000001', agent: false, headers: { 'content-type': 'application/json', expect: '42-banana' } });
      req.on('response', (r) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(res.status).to.equal(417);
    expect(JSON.parse(res.text)).to.deep.equal({ ActionStatus: 'FAIL', ErrorCode: 41701, ErrorInfo: 'Expect: 42-banana is not supported: send no Expect header, or "Expect: 100-continue"' });
  });

  it('answers an over-cap Content-Length 413 without asking for the body', async () => {
    const time = now();
    const big = body.replace('"CoverURL":""', `"CoverURL":"${'x'.repeat(2 * 1024 * 1024)}"`);
    const res = await postExpecting(svc, `SdkAppid=1400000001&RequestTime=${time}&Sign=${expectedSign(TOKEN, time)}`, big);
    expect(res.status).to.equal(413);
    expect(res.continued).to.equal(false);
  });
});
