/**
 * A plugin's own writes to process.stdout and process.stderr, kept whole.
 * stdout carries lines other programs parse (the logging plugin's events):
 * a plugin that wrote half a line there glued the next plugin's event onto
 * it, so neither parsed. stderr is the service's JSON log. So, per isolate:
 * - stdout passes through in whole lines: a partial line waits for its
 *   newline (or the isolate's end, or 64 KiB);
 * - each line written to stderr becomes a line of the JSON log, with the
 *   plugin named, as console output does (./console-to-log.ts).
 */
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';

/** A partial line longer than this goes out as a line of its own: a plugin that never writes a newline holds no more. */
const MAX_PENDING_CHARS = 64 * 1024;

type WriteCallback = (err?: Error | null) => void;

export function keepPluginStdioWhole(logger: Logger): { flush(): void } {
  const out = process.stdout;
  const passThrough = out.write.bind(out) as (text: string) => boolean;
  const stdout = lineBuffer((lines) => void passThrough(lines));
  const stderr = lineBuffer((lines) => {
    for (const line of lines.slice(0, -1).split('\n')) {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line; // CRLF
      if (text !== '') logger.warn({ stream: 'stderr' }, text);
    }
  });
  replaceWrite(process.stdout, stdout.write);
  replaceWrite(process.stderr, stderr.write);
  return {
    flush: () => {
      stdout.flush();
      stderr.flush();
    },
  };
}

function replaceWrite(stream: NodeJS.WriteStream, write: (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean): void {
  Object.defineProperty(stream, 'write', { value: write, writable: true, configurable: true });
}

/** Hands `emit` whole lines only, each batch ending with its newline. */
export function lineBuffer(emit: (lines: string) => void) {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
    let text: string;
    if (typeof chunk === 'string') {
      // Bytes of a character a Buffer left unfinished belong to the line they were on: ended here (U+FFFD).
      text = decoder.end() + (typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding as BufferEncoding).toString('utf8') : chunk);
    } else {
      text = decoder.write(Buffer.from(chunk as Uint8Array));
    }
    pending += text;
    const end = pending.lastIndexOf('\n');
    if (end !== -1) {
      emit(pending.slice(0, end + 1));
      pending = pending.slice(end + 1);
    }
    if (pending.length > MAX_PENDING_CHARS) {
      emit(`${pending}\n`);
      pending = '';
    }
    if (done) process.nextTick(done);
    return true;
  };
  const flush = (): void => {
    pending += decoder.end();
    if (pending === '') return;
    emit(`${pending}\n`);
    pending = '';
  };
  return { write, flush };
}
