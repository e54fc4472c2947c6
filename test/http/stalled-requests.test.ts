/**
 * Clients that stall or send what Node's parser refuses: a body that does
 * not arrive is answered 408 within http.bodyTimeoutMs and its share of the
 * in-flight budget comes back (without it, a few stalled uploads held the
 * whole budget for Node's five minutes and every callback got 503); headers
 * too large and bodies that are not UTF-8 are answered with the FAIL
 * envelope and words, not a bare status line or replacement characters.
 */
import net from 'node:net';
import { expect } from 'chai';
import { fixture, startTestService, type TestService } from '../helpers/service';

const QUERY = { SdkAppid: '1400000001' };

/** Sends `head` (and `body`) on a raw socket and resolves with what came back when the server closed it. */
function raw(svc: TestService, head: string, body: Buffer | string = ''): Promise<{ text: string; ms: number }> {
  const { hostname, port } = new URL(svc.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      if (body.length > 0) socket.write(body);
    });
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.on('error', reject);
  });
}

function jsonOf(response: string): { ActionStatus: string; ErrorCode: number; ErrorInfo: string } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { ActionStatus: string; ErrorCode: number; ErrorInfo: string };
}

describe('stalled and malformed requests', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: ['logging'], config: { http: { bodyTimeoutMs: 600 }, ingest: { maxBodyBytesInFlight: 4096 } } });
  });
  after(() => svc.stop());

  it('answers 408 to a body that stops arriving, and gives its share of the in-flight budget back', async () => {
    const stalled = Array.from({ length: 4 }, () =>
      raw(svc, `POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n`, '{"Callbac'),
    );
    // while they stall, the budget is taken: a new callback is told to come back later
    await new Promise((r) => setTimeout(r, 150));
    const during = await svc.post(fixture('destroy-room.seed-example.json'), QUERY);
    expect(during.status).to.equal(503);
    // answered before its body was read: the connection is not kept for the rest of the upload
    expect(during.headers.get('connection')).to.equal('close');
    for (const { text, ms } of await Promise.all(stalled)) {
      expect(text).to.match(/^HTTP\/1\.1 408/);
      expect(jsonOf(text)).to.include({ ActionStatus: 'FAIL', ErrorCode: 40801 });
      expect(jsonOf(text).ErrorInfo).to.contain('http.bodyTimeoutMs');
      expect(ms).to.be.below(3000);
    }
    const after = await svc.post(fixture('destroy-room.seed-example.json'), QUERY);
    expect(after.status).to.equal(200);
    // the client's slowness, not livehook's error: it has its own outcome
    const metrics = (await svc.get('/metrics')).body as string;
    expect(metrics).to.match(/livehook_callbacks_total\{command="unknown",outcome="too_slow"\} 4/);
    expect(metrics).to.not.match(/outcome="error"/);
  });

  it('still answers a complete request when junk follows it in the same packet, then closes', async () => {
    const body = fixture('destroy-room.seed-example.json').replace('1703589922780', '1703589922001');
    const { text } = await raw(svc, `POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}GARBAGE\r\n\r\n`);
    expect(text).to.match(/^HTTP\/1\.1 200/);
    expect(jsonOf(text)).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
  });

  it('answers malformed chunks as the client\'s mistake (400, or 408 once the rest never comes), not as livehook\'s error', async () => {
    const { text } = await raw(svc, 'POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n');
    expect(text, text).to.match(/^HTTP\/1\.1 40[08]/);
    const metrics = (await svc.get('/metrics')).body as string;
    expect(metrics).to.not.match(/outcome="error"/);
    expect(svc.logs.filter((l) => l.level === 50 && String(l.msg).includes('inside livehook'))).to.deep.equal([]);
  });

  it('says which framing is wrong: both Content-Length and Transfer-Encoding, Content-Length twice, a length that is no number', async () => {
    const cases: Array<[string, string]> = [
      ['Transfer-Encoding: chunked\r\nContent-Length: 3', 'Content-Length and Transfer-Encoding are both sent: send one of them'],
      ['Content-Length: 3\r\nTransfer-Encoding: chunked', 'Content-Length and Transfer-Encoding are both sent: send one of them'],
      ['Content-Length: 3\r\nContent-Length: 4', 'Content-Length is sent twice'],
      ['Content-Length: x3', 'Content-Length is not a number'],
    ];
    for (const [headers, words] of cases) {
      const { text } = await raw(svc, `POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n0\r\n\r\n`);
      expect(text, headers).to.match(/^HTTP\/1\.1 400/);
      expect(jsonOf(text).ErrorInfo, headers).to.contain(`the HTTP request is malformed: ${words} (HPE_`);
    }
  });

  it('refuses a body that is not valid UTF-8 when no charset is declared, instead of storing U+FFFD', async () => {
    const gbk = Buffer.concat([Buffer.from('{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":"'), Buffer.from([0xd6, 0xb1, 0xb2, 0xa5]), Buffer.from('"}')]);
    const { text } = await raw(svc, `POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${gbk.length}\r\nConnection: close\r\n\r\n`, gbk);
    expect(text).to.match(/^HTTP\/1\.1 400/);
    expect(jsonOf(text).ErrorCode).to.equal(40009);
    expect(jsonOf(text).ErrorInfo).to.contain('not valid UTF-8').and.contain('charset=gbk');
    // Declared UTF-8, and not UTF-8: said as such.
    const declared = await raw(svc, `POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${gbk.length}\r\nConnection: close\r\n\r\n`, gbk);
    expect(jsonOf(declared.text).ErrorInfo).to.equal('the body is not valid UTF-8, the charset its Content-Type declares: send UTF-8, or declare the charset the body is in');
  });

  it('answers 408 to headers that trickle in past 10 s, within a second or two of it', async function () {
    this.timeout(30_000);
    const { hostname, port } = new URL(svc.url);
    const started = Date.now();
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write('POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\n'));
      // A header line a second, never the blank line that ends them.
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: y\r\n'), 1000);
      let got = '';
      socket.on('data', (c: Buffer) => (got += c.toString()));
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(got);
      });
      socket.on('error', reject);
    });
    expect(text).to.match(/^HTTP\/1\.1 408/);
    // Node looked for late headers every 30 s by default: such a client held its socket 36 s.
    expect(Date.now() - started).to.be.within(9_500, 13_000);
  });

  it('says in words what Node\'s parser found wrong with a malformed request', async () => {
    const { text } = await raw(svc, 'POST /callback HTTP/1.1\r\nHost: x\r\nBad Header: y\r\nContent-Length: 0\r\n\r\n');
    expect(text).to.match(/^HTTP\/1\.1 400/);
    expect(jsonOf(text)).to.deep.include({ ErrorCode: 40010 });
    expect(jsonOf(text).ErrorInfo).to.equal('the HTTP request is malformed: a header name holds a character not allowed there (a space, a colon, a control character) (HPE_INVALID_HEADER_TOKEN)');
    // The parser files a bad value under the same code: the words tell them apart.
    for (const header of ['X-Note: a\u0000b', 'X-Note: a\r\n folded']) {
      const value = await raw(svc, `POST /callback HTTP/1.1\r\nHost: x\r\n${header}\r\nContent-Length: 0\r\n\r\n`);
      expect(jsonOf(value.text).ErrorInfo, JSON.stringify(header)).to.equal('the HTTP request is malformed: a header value holds a character not allowed there (a control character such as NUL), or goes on over a second line (HPE_INVALID_HEADER_TOKEN)');
    }
  });

  it('answers a request without Host as any other, and CONNECT with 405 and words', async () => {
    const body = fixture('destroy-room.seed-example.json').replace('1703589922780', '1703589922002');
    const noHost = await raw(svc, `POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    expect(noHost.text).to.match(/^HTTP\/1\.1 200/);
    expect(jsonOf(noHost.text)).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const connect = await raw(svc, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(connect.text).to.match(/^HTTP\/1\.1 405/);
    expect(jsonOf(connect.text)).to.deep.equal({ ActionStatus: 'FAIL', ErrorCode: 40501, ErrorInfo: 'method CONNECT is not allowed: livehook is not a proxy; POST callbacks to /callback' });
  });

  it('answers headers that are too large with the FAIL envelope and words', async () => {
    const { text } = await raw(svc, `POST /callback?SdkAppid=1400000001&pad=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
    expect(text).to.match(/^HTTP\/1\.1 431/);
    expect(jsonOf(text)).to.include({ ActionStatus: 'FAIL', ErrorCode: 43101 });
    expect(jsonOf(text).ErrorInfo).to.contain('too large');
  });
});
