import net from 'node:net';
import { expect } from 'chai';
import { startTestService, type TestService } from '../helpers/service';
import { parseSamples, valueOf } from './prom-text';

/** A raw HTTP/1.1 connection, to send a request in pieces and pipeline another behind it. */
async function rawConnection(port: number): Promise<{ socket: net.Socket; received: () => string }> {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString('utf8')));
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, received: () => data };
}

/** The answers read so far on a raw connection: status and JSON body of each. */
function answers(raw: string): Array<{ status: number; body: unknown }> {
  const out: Array<{ status: number; body: unknown }> = [];
  const re = /HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(raw))) {
    const length = Number(/content-length: (\d+)/i.exec(match[2])?.[1] ?? 0);
    const body = raw.slice(re.lastIndex, re.lastIndex + length);
    if (body.length < length) break;
    re.lastIndex += length;
    out.push({ status: Number(match[1]), body: /^[[{]/.test(body) ? JSON.parse(body) : body });
  }
  return out;
}

describe('/healthz and /readyz', () => {
  let svc: TestService | null = null;
  afterEach(async () => {
    await svc?.stop();
    svc = null;
  });

  it('are 200 once the service has started, never cached', async () => {
    svc = await startTestService({ onlyPlugins: ['logging'], env: { LIVEHOOK_ADMIN_TOKEN: 'admin-secret' } });
    const health = await svc.get('/healthz');
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'ok' });
    const ready = await svc.get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({ status: 'ready' });
    expect(ready.headers.get('cache-control')).to.equal('no-store');
    expect(health.headers.get('cache-control')).to.equal('no-store');
  });

  it('/readyz is 503 with the reason once the store cannot be reached; /healthz and /metrics still answer', async () => {
    svc = await startTestService({ onlyPlugins: ['logging'] });
    await svc.service.store.close();
    const ready = await svc.get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.status).to.equal('not ready');
    expect(ready.body.reason).to.match(/^store unreachable: /);
    expect((await svc.get('/healthz')).status).to.equal(200);

    // The scrape still works (process metrics, counters); the gauges read from the store are left out.
    const metrics = await svc.get('/metrics');
    expect(metrics.status).to.equal(200);
    const samples = parseSamples(metrics.body as string);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).to.be.greaterThan(0);
    expect(samples.some((s) => s.name === 'livehook_deliveries_pending')).to.equal(false);
    expect(svc.logs.some((l) => l.level === 'warn' && /could not count deliveries/.test(String(l.msg)))).to.equal(true);
  });

  it('/readyz is 503 "shutting down" while the service stops, /healthz 200 until it is gone', async () => {
    svc = await startTestService({ onlyPlugins: ['logging'], env: { LIVEHOOK_ADMIN_TOKEN: 'readiness-token' } });
    // A sign-in in flight (half its form sent) keeps the server answering on this connection while it stops.
    // (Not a callback: one answered while stopping says Connection: close, and what follows it is not read.)
    const body = 'token=readiness-token';
    const conn = await rawConnection(svc.service.port);
    conn.socket.write(`POST /login HTTP/1.1\r\nHost: livehook\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 6)}`);
    await new Promise((r) => setTimeout(r, 50));
    const stopping = svc.stop();
    await new Promise((r) => setTimeout(r, 50));
    // The rest of the form, then two probes pipelined behind it on the same connection.
    conn.socket.write(`${body.slice(6)}GET /readyz HTTP/1.1\r\nHost: livehook\r\n\r\nGET /healthz HTTP/1.1\r\nHost: livehook\r\n\r\n`);
    const deadline = Date.now() + 5000;
    while (answers(conn.received()).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    conn.socket.destroy();
    await stopping;
    svc = null;

    const [signIn, ready, health] = answers(conn.received());
    expect(signIn.status, 'the sign-in that was already in flight').to.equal(303);
    expect(ready).to.deep.equal({ status: 503, body: { status: 'not ready', reason: 'shutting down' } });
    expect(health).to.deep.equal({ status: 200, body: { status: 'ok' } });
  });
});
