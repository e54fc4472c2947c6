/**
 * A plugin's `console.log` becomes a line of the service's JSON log, with
 * the plugin named. Written as it is, it went to stdout between the logging
 * plugin's JSON lines and the service's own, where a log shipper parsing
 * each line as JSON choked on it, and nobody could tell which plugin said it.
 */
import { format } from 'node:util';
import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<string, Level> = { debug: 'debug', log: 'info', info: 'info', warn: 'warn', error: 'error', trace: 'error' };

export function routeConsoleToLog(logger: Logger): void {
  for (const [method, level] of Object.entries(LEVELS)) {
    const write = (...args: unknown[]): void => {
      logger[level]({ console: method }, format(...args));
    };
    Object.defineProperty(console, method, { value: write, writable: true, configurable: true });
  }
}
