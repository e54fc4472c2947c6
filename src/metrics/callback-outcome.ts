/**
 * The labels of livehook_callbacks_total. Both are from closed lists, so the
 * number of series stays bounded whatever a client sends.
 */
import { KNOWN_COMMANDS } from '../callbacks/schemas';

export const CALLBACK_OUTCOMES = ['ok', 'duplicate', 'invalid', 'unauthorized', 'forbidden', 'too_slow', 'too_large', 'overloaded', 'error'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

const KNOWN = new Set(KNOWN_COMMANDS);

/** A command livehook has a schema for keeps its name; anything else (or none) is "unknown". */
export function commandLabel(command: string | null | undefined): string {
  return command && KNOWN.has(command) ? command : 'unknown';
}

/** The outcome of a refused callback, from the HTTP status it was answered with. */
export function outcomeOfStatus(status: number): CallbackOutcome {
  switch (status) {
    case 400: // malformed or invalid body
    case 405: // not a POST
    case 415: // unsupported encoding
    case 431: // headers too large
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 408: // the body did not arrive in time: the client's doing, not livehook's
      return 'too_slow';
    case 413:
      return 'too_large';
    case 503: // backpressure, or this instance is shutting down: Tencent retries either way
      return 'overloaded';
    default:
      return 'error';
  }
}

const BODY_COMMAND = /"CallbackCommand"\s*:\s*"([^"\\]{1,100})"/;

/**
 * The command of a refused callback, best effort: from the body when it was
 * read, else from the query string (Tencent puts CallbackCommand in both).
 */
export function commandOfRefused(rawBody: unknown, query: Record<string, unknown>): string | undefined {
  if (typeof rawBody === 'string') {
    const match = BODY_COMMAND.exec(rawBody);
    if (match) return match[1];
  }
  for (const key of Object.keys(query)) {
    if (key.toLowerCase() === 'callbackcommand') {
      const value = query[key];
      return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
    }
  }
  return undefined;
}
