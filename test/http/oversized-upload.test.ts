/**
 * A body over the cap is refused with a 413 the client can read. A server
 * that answers and closes while the client is still sending resets the
 * connection, and a client that writes its whole body before it reads the
 * answer then gets EPIPE instead of the 413. livehook reads and drops the
 * rest of the upload, up to max(4 × cap, cap + 4 MiB), before it answers.
 */
import http from 'node:http';
import net from 'node:net';
import { expect } from 'chai';
import { startTestService, type TestService } from '../helpers/service';

const CAP = 4096;

describe('POST /callback: the 413 reaches the client', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: [], config: { http: { bodyLimitBytes: CAP } } });
  });
  after(() => svc.stop());

  async function fetch413(body: string | ReadableStream<Uint8Array>, extra: RequestInit = {}): Promise<void> {
    const res = await fetch(`${svc.url}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...extra });
    expect(res.status).to.equal(413);
    const answer = JSON.parse(await res.text());
    expect(answer.ActionStatus).to.equal('FAIL');
    expect(answer.ErrorCode).to.equal(41301);
    expect(answer.ErrorInfo).to.equal(`body too large: the limit is ${CAP} bytes (http.bodyLimitBytes)`);
    expect(res.headers.get('connection')).to.equal('close');
  }

  it('fetch reads the 413 of a 4 MiB body with Content-Length', async () => {
    const body = `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Padding":"${'x'.repeat(4 * 1024 * 1024 - 100)}"}`;
    for (let i = 0; i < 3; i++) await fetch413(body);
  });

  it('fetch reads the 413 of a 4 MiB chunked body (no Content-Length)', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * 1024 * 1024) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    await fetch413(stream, { duplex: 'half' } as RequestInit);
  });

  it('a client that writes the whole body before it reads reads the 413, not a reset connection', async () => {
    // The strictest client: it does not look at the socket until its upload is written.
    // 4 MiB is more than the kernel's loopback buffers take, so a server that closes early resets it.
    const { hostname, port } = new URL(svc.url);
    const body = Buffer.alloc(4 * 1024 * 1024, 0x78);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      socket.pause();
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', (err) => reject(new Error(`${(err as NodeJS.ErrnoException).code ?? err.message} after reading ${JSON.stringify(text.slice(0, 40))}`)));
      socket.write(`POST /callback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body, () => socket.resume());
    });
    expect(answer).to.match(/^HTTP\/1\.1 413 /);
    expect(answer).to.contain('"ActionStatus":"FAIL"');
  });

  it('answers at once, without waiting for the upload, when the declared length is far past what it would drain', async () => {
    const { hostname, port } = new URL(svc.url);
    const started = Date.now();
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: hostname, port, method: 'POST', path: '/callback', headers: { 'content-length': String(500 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"CallbackCommand":');
    });
    expect(answer).to.equal(413);
    expect(Date.now() - started).to.be.below(2000);
  });

  it('keeps serving after all that', async () => {
    const res = await svc.post({ CallbackCommand: 'Some.Unknown', RoomId: 'after-413' });
    expect(res.status).to.equal(200);
  });
});
