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
import type http from 'node:http';

/** The drain's length at most; a quarter of the grace when that is shorter. It ends early once no connection is left. */
export const DRAIN_MS = 1_000;
const LOOK_EVERY_MS = 25;

export async function stopServer(server: http.Server, graceMs: number): Promise<void> {
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
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
