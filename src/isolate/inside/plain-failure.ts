/**
 * What a plugin threw, as an Error that logging, storing and sending across
 * a boundary cannot trip over. A plugin can throw anything: a Proxy whose
 * every trap throws (`instanceof` itself then throws), an Error whose
 * `message` getter throws, a 20 MB message. Handled as it was, recording the
 * failure threw in turn, so the delivery was never counted, went neither to
 * retry nor dead, and was tried again every 100 ms for good; a huge message
 * was logged and stored whole on every attempt.
 */
import { PermanentError, describeError } from '../../errors';

/** Longest message and stack kept of a plugin's error (the rest is said to be cut). */
export const MAX_FAILURE_CHARS = 4_000;

/**
 * A copy made of what could be read: the message and stack (cut past
 * MAX_FAILURE_CHARS), the name, and the own fields that are plain values
 * (`code`, say). A PermanentError stays one.
 */
export function plainFailure(thrown: unknown): Error {
  const permanent = readSafely(() => thrown instanceof PermanentError, false);
  const message = readSafely(() => String(describeError(thrown)), null);
  const failure = permanent ? new PermanentError(message === null ? UNREADABLE : cut(message)) : new Error(message === null ? UNREADABLE : cut(message));
  const stack = readSafely(() => (thrown instanceof Error && typeof thrown.stack === 'string' ? thrown.stack : null), null);
  failure.stack = stack === null ? `${failure.name}: ${failure.message}` : cut(stack);
  const name = readSafely(() => (thrown instanceof Error && typeof thrown.name === 'string' ? thrown.name : null), null);
  if (name !== null) failure.name = name.slice(0, 200);
  for (const key of readSafely(() => (typeof thrown === 'object' && thrown !== null ? Object.keys(thrown).slice(0, 50) : []), [] as string[])) {
    if (key in failure) continue;
    const value: unknown = readSafely(() => (thrown as Record<string, unknown>)[key], undefined);
    if (typeof value === 'string') Object.assign(failure, { [key]: cut(value) });
    else if (typeof value === 'number' || typeof value === 'boolean') Object.assign(failure, { [key]: value });
  }
  return failure;
}

const UNREADABLE = 'a thrown value that cannot be read (reading it threw)';

function cut(text: string): string {
  return text.length <= MAX_FAILURE_CHARS ? text : `${text.slice(0, MAX_FAILURE_CHARS)}… (${text.length - MAX_FAILURE_CHARS} more characters cut)`;
}

/** `read()`, or `fallback` when reading throws (a plugin's value may trap any access). */
export function readSafely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
