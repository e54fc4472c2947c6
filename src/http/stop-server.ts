/**
 * Stopping the HTTP server without resetting kept-alive connections under a
 * client's feet.
 *
 * Closing an idle kept-alive connection races the client's next request on
 * it: sent as the server closes, it meets a reset, and the client cannot tell
 * whether its callback was stored. So the server first drains for a moment:
 * it still listens and keeps its connections, every answer says
 * `Connection: close` (a new callback is answered 503 "shutting down"), and
 * clients that keep sending learn to go elsewhere. Then it stops listening,
 * lets in-flight requests finish within the grace, and closes what is idle.
 */
import http from 'node:http';

/** The drain's length at most; a quarter of the grace when that is shorter. It ends early once no connection is left. */
export const DRAIN_MS = 1_000;
const LOOK_EVERY_MS = 25;

/**
 * The server's response class (http.createServer's `ServerResponse` option):
 * once `stopping()` says so, every answer says `Connection: close`, those of
 * requests already in flight when the stop began included, whatever route
 * writes it. One call per answer, the whole cost while the service runs.
 */
export function responseClosingWhen(stopping: () => boolean): typeof http.ServerResponse {
  const writeHead = http.ServerResponse.prototype.writeHead;
  class ClosingResponse extends http.ServerResponse {}
  // (assigned rather than overridden: writeHead's overloads do not survive an override's one signature)
  ClosingResponse.prototype.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    if (stopping()) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args as Parameters<typeof writeHead>);
  } as typeof writeHead;
  return ClosingResponse as typeof http.ServerResponse;
}

/** `server` was made with responseClosingWhen, whose `stopping()` says true by now. */
export async function stopServer(server: http.Server, graceMs: number): Promise<void> {
  const started = Date.now();
  const drainUntil = started + Math.min(DRAIN_MS, graceMs / 4);
  while (Date.now() < drainUntil && (await openConnections(server)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
  const left = Math.max(0, graceMs - (Date.now() - started));
  await new Promise<void>((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), LOOK_EVERY_MS);
    const hard = setTimeout(() => server.closeAllConnections(), left);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(hard);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function openConnections(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, count) => resolve(err ? 0 : count)));
}
