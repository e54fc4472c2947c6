/**
 * The rest of a refused upload, read and thrown away before the refusal is
 * sent. Answering and closing while the client is still sending makes the
 * kernel reset the connection, and clients that write the whole body before
 * they read (Node's fetch/undici, many HTTP libraries) then report EPIPE or
 * ECONNRESET instead of our 413. Reading the rest first costs bandwidth but
 * no memory; past `maxBytes` or `maxMs` we stop and the answer closes the
 * connection anyway (nginx's lingering close does the same).
 */
import type http from 'node:http';

export function drainUpload(req: http.IncomingMessage, maxBytes: number, maxMs: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const timer = setTimeout(finish, maxMs);
    timer.unref();
    function onData(chunk: Buffer): void {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    }
    function finish(): void {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('close', finish);
      req.off('error', finish);
      req.pause();
      resolve();
    }
    req.on('data', onData);
    req.on('end', finish);
    req.on('close', finish);
    req.on('error', finish);
    req.resume();
  });
}
