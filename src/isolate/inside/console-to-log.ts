/**
 * A plugin's `console.log` becomes a line of the service's JSON log, with
 * the plugin named. Written as it is, it went to stdout between the logging
 * plugin's JSON lines and the service's own, where a log shipper parsing
 * each line as JSON choked on it, and nobody could tell which plugin said it.
 */
import { format, inspect, type InspectOptions } from 'node:util';
import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<string, Level> = { debug: 'debug', log: 'info', info: 'info', dirxml: 'info', warn: 'warn', error: 'error' };

export function routeConsoleToLog(logger: Logger): void {
  const replace = (method: string, write: (...args: never[]) => void): void => {
    Object.defineProperty(console, method, { value: write, writable: true, configurable: true });
  };
  for (const [method, level] of Object.entries(LEVELS)) {
    replace(method, (...args: unknown[]) => logger[level]({ console: method }, format(...args)));
  }
  // dir takes inspect's options, not more values to print.
  replace('dir', (value: unknown, options?: InspectOptions) => logger.info({ console: 'dir' }, inspect(value, options)));
  // trace is asked for the stack: keep it, as Node's own prints it, without this function's frame.
  replace('trace', (...args: unknown[]) => {
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, console.trace);
    const frames = (holder.stack ?? '').split('\n').slice(1).join('\n');
    logger.error({ console: 'trace' }, `Trace: ${format(...args)}\n${frames}`);
  });
}
