/**
 * Log lines of a plugin's isolate. In production the isolate writes its
 * JSON lines to stderr (fd 2) itself, synchronously, like the ingest thread:
 * the ingest thread never spends a cycle on them. When the service's logger
 * writes somewhere else (a test's collector, a pretty printer on a
 * terminal), the isolate sends its lines, in batches, to be written there.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createLogger, type LogLevel } from '../log/logger';

/** Where the service's logger writes: 'stderr' when an isolate can write there itself. */
export function logDestinationOf(logger: Logger): 'stderr' | 'parent' {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { fd?: unknown } | undefined;
  return stream?.fd === 2 ? 'stderr' : 'parent';
}

/** Writes lines an isolate sent, as they are (already JSON, already filtered by level). */
export function writeIsolateLines(logger: Logger, lines: readonly string[]): void {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { write(line: string): void };
  for (const line of lines) stream.write(line);
}

/** The isolate's logger: to fd 2, or batched to `send` (flushed each loop turn, and by flush()). */
export function isolateLogger(level: LogLevel, to: 'stderr' | 'parent', send: (lines: string[]) => void): { logger: Logger; flush(): void } {
  if (to === 'stderr') return { logger: createLogger(level), flush: () => undefined };
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    send(lines);
  };
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      pending.push(text.endsWith('\n') ? text : `${text}\n`);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      done();
    },
  });
  return { logger: createLogger(level, sink), flush };
}
