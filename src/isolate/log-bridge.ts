/**
 * Log lines of a plugin's isolate. In production the isolate writes its
 * JSON lines to stderr (fd 2) itself, synchronously, like the ingest thread:
 * the ingest thread never spends a cycle on them. When the service's logger
 * writes somewhere else (a test's collector, a pretty printer on a
 * terminal), the isolate sends its lines, in batches, to be written there.
 */
import pino, { type Logger } from 'pino';
import { LogBudget, PLUGIN_LOG_LIMITS, type LogLimits } from '../log/log-budget';
import { createLogger, type LogLevel } from '../log/logger';
import { formatBytes } from '../store/disk-full';

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

/**
 * The isolate's logger: to fd 2, or batched to `send` (flushed each loop
 * turn, and by flush()); within the plugin's log budget either way
 * (src/log/log-budget.ts), whose summary of dropped lines is written past it.
 */
export function isolateLogger(level: LogLevel, to: 'stderr' | 'parent', send: (lines: string[]) => void, plugin: string, limits: LogLimits = PLUGIN_LOG_LIMITS): { logger: Logger; flush(): void } {
  const { write, flush } = to === 'stderr' ? stderrLines() : batchedLines(send);
  const summary = createLogger('warn', { write } as unknown as NodeJS.WritableStream).child({ plugin });
  const budget = new LogBudget(limits, write, (dropped, { lines, bytes }) =>
    summary.warn({ droppedLines: dropped.lines, droppedBytes: dropped.bytes }, `plugin "${plugin}" logged more than ${lines} lines or ${formatBytes(bytes)} within a second: ${dropped.lines} lines (${formatBytes(dropped.bytes)}) were dropped`),
  );
  const logger = createLogger(level, { write: (line: string) => budget.offer(line) } as unknown as NodeJS.WritableStream);
  return {
    logger,
    flush: () => {
      budget.report();
      flush();
    },
  };
}

/** Straight to fd 2, synchronously (as the service's own logger writes): a line about a crash must not be lost with the isolate. */
function stderrLines(): { write(line: string): void; flush(): void } {
  const destination = pino.destination({ fd: 2, sync: true });
  return { write: (line) => destination.write(line), flush: () => undefined };
}

function batchedLines(send: (lines: string[]) => void): { write(line: string): void; flush(): void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    send(lines);
  };
  const write = (text: string): void => {
    pending.push(text.endsWith('\n') ? text : `${text}\n`);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return { write, flush };
}
