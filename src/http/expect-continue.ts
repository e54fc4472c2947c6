/**
 * `Expect: 100-continue` answered only once the request has earned it. Node's
 * server sends "100 Continue" by itself as soon as the headers arrive, which
 * invites anyone to upload a whole body that will then be refused. With a
 * 'checkContinue' listener Node leaves that to us: the request goes to the
 * app unanswered, and the callback route sends the 100 after the SdkAppid,
 * Sign and in-flight checks, right before it reads the body. A request that
 * is refused first never gets the 100, so its body is never sent.
 */
import type http from 'node:http';
import { LivehookError } from '../errors';
import { failEnvelope } from './envelope';

const awaitingContinue = new WeakSet<http.IncomingMessage>();

/** Makes `server` hand Expect: 100-continue requests to `handler` without the automatic 100. */
export function deferContinue(server: http.Server, handler: http.RequestListener): void {
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    awaitingContinue.add(req);
    // Answered without a 100, the client never sent its body: the connection cannot carry another request.
    res.setHeader('Connection', 'close');
    handler(req, res);
  });
  // Any other expectation: Node would answer a bare 417 with no body; say what is wrong, in the envelope.
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const err = new LivehookError('EXPECTATION_FAILED', `Expect: ${String(req.headers.expect).slice(0, 60)} is not supported: send no Expect header, or "Expect: 100-continue"`);
    const body = JSON.stringify(failEnvelope(err));
    res.writeHead(err.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  });
}

/** The client waits for a 100 that has not been sent (yet). */
export function awaitsContinue(req: http.IncomingMessage): boolean {
  return awaitingContinue.has(req);
}

/** Tells a waiting client to send its body: call right before reading it. */
export function sendContinueIfAwaited(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!awaitingContinue.delete(req)) return;
  if (res.headersSent || res.writableEnded) return;
  res.removeHeader('Connection');
  res.writeContinue();
}
