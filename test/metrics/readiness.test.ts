import net from 'node:net';
import { expect } from 'chai';
import { startTestService, type TestService } from '../helpers/service';
import { parseSamples, valueOf } from './prom-text';

/** A raw HTTP/1.1 connection, held open (as a client's kept-alive one is). */
async function rawConnection(port: number): Promise<{ socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket };
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
    svc = await startTestService({ onlyPlugins: ['logging'] });
    // A client's kept-alive connection, idle: the stop drains (still listening) while it is open.
    const idle = await rawConnection(svc.service.port);
    const stopping = svc.stop();
    await new Promise((r) => setTimeout(r, 50));
    // A load balancer's probes, on connections of their own.
    const probe = async (route: string) => {
      const res = await fetch(`${svc!.url}${route}`);
      return { status: res.status, body: await res.json(), connection: res.headers.get('connection') };
    };
    const [ready, health] = await Promise.all([probe('/readyz'), probe('/healthz')]);
    idle.socket.destroy();
    await stopping;
    svc = null;

    expect(ready).to.deep.equal({ status: 503, body: { status: 'not ready', reason: 'shutting down' }, connection: 'close' });
    expect(health).to.deep.equal({ status: 200, body: { status: 'ok' }, connection: 'close' });
  });
});
