/**
 * The service's own structured logs (pino, JSON lines on stderr so that
 * stdout stays free for the logging plugin's event lines).
 */
import pino, { type Logger } from 'pino';

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
    // fd 2 written synchronously: a log line about a crash must not be lost with the process.
    destination === process.stderr ? pino.destination({ fd: 2, sync: true }) : destination,
  );
}
