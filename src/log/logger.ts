/**
 * The service's own structured logs (pino, JSON lines on stderr so that
 * stdout stays free for the logging plugin's event lines). On a terminal a
 * person reads them: pretty-printed (pino-pretty) then; piped to a file, a
 * journal or a collector, JSON lines as always.
 */
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { service: 'livehook' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination === process.stderr ? stderrDestination() : destination,
  );
}

function stderrDestination(): pino.DestinationStream {
  // Synchronously, both ways: a log line about a crash must not be lost with the process.
  if (process.stderr.isTTY) return loadPretty()({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service' });
  return pino.destination({ fd: 2, sync: true });
}

/** Loaded only for a terminal: its 30 modules are start-up time every service behind a supervisor would pay for nothing. */
function loadPretty(): typeof PinoPretty {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pino-pretty') as typeof PinoPretty;
}
