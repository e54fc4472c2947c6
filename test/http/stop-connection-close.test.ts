/**
 * Stopping with keep-alive clients: a callback answered while the service
 * stops says `Connection: close`, so the client opens its next connection
 * elsewhere instead of sending on this one as it closes (a reset, where the
 * client cannot tell whether its callback was stored).
 */
import net from 'node:net';
import { expect } from 'chai';
import { openStore } from '../../src/store/open-store';
import { fixture, startTestService } from '../helpers/service';

const seed = fixture('destroy-room.seed-example.json');

describe('stopping: answers on kept-alive connections', function () {
  this.timeout(30_000);

  it('answers a callback in flight when the stop began with Connection: close, and stores it', async () => {
    const svc = await startTestService({ onlyPlugins: [] });
    const port = Number(new URL(svc.url).port);
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1').on('data', (d: string) => (received += d));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const request = (body: string, sendBody = true) =>
      socket.write(`POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${sendBody ? body : ''}`);

    // A first callback: answered and the connection kept alive, as any client keeps it.
    const first = seed.replace('"tandy-test-rest"', '"kept-alive-1"');
    request(first);
    await waitUntil(() => received.includes('\r\n\r\n{"ActionStatus":"OK"'));
    expect(received).to.match(/connection: keep-alive/i);

    // A second one whose body is still on its way when the stop begins.
    const second = seed.replace('"tandy-test-rest"', '"kept-alive-2"');
    received = '';
    request(second, false);
    await new Promise((r) => setTimeout(r, 100));
    const stopping = svc.stop();
    await new Promise((r) => setTimeout(r, 50));
    socket.write(second);
    await waitUntil(() => received.includes('{"ActionStatus"'));
    expect(received).to.match(/^HTTP\/1\.1 200 /).and.match(/\r\nconnection: close\r\n/i);
    expect(received).to.contain('"ActionStatus":"OK"');
    await stopping;
    socket.destroy();
    const store = await openStore({ dataDir: svc.dataDir });
    const rooms = (await store.readEvents(0, 10)).map((e) => e.event.roomId);
    await store.close();
    expect(rooms).to.deep.equal(['kept-alive-1', 'kept-alive-2']);
  });

  it('answers a request sent on an idle kept-alive connection while it stops (503, Connection: close) instead of resetting it', async () => {
    const svc = await startTestService({ onlyPlugins: [] });
    const port = Number(new URL(svc.url).port);
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let reset = false;
    socket.setEncoding('latin1').on('data', (d: string) => (received += d));
    socket.on('error', () => (reset = true));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const request = (body: string) =>
      socket.write(`POST /callback?SdkAppid=1400000001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    request(seed.replace('"tandy-test-rest"', '"idle-1"'));
    await waitUntil(() => received.includes('{"ActionStatus":"OK"'));
    received = '';
    // The connection is idle when the stop begins; the client sends on it a moment later.
    const stopping = svc.stop();
    await new Promise((r) => setTimeout(r, 150));
    request(seed.replace('"tandy-test-rest"', '"idle-2"'));
    await waitUntil(() => received.includes('{"ActionStatus"') || reset);
    expect(reset, 'the connection was reset').to.equal(false);
    expect(received).to.match(/^HTTP\/1\.1 503 /).and.match(/\r\nconnection: close\r\n/i).and.contain('"ErrorCode":50302');
    await stopping;
    socket.destroy();
  });
});


async function waitUntil(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}