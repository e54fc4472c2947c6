/**
 * A plugin's fs writes to descriptor 1 or 2 (write, writev, writeFile,
 * appendFile, sync or not, and a WriteStream on them) go through
 * process.stdout / process.stderr, where ./stdio-lines.ts keeps lines
 * whole: written to the descriptor itself, half a line glued the logging
 * plugin's next event onto it, and raw text broke the JSON log. Each
 * returns what its fs function would.
 */
import { Writable } from 'node:stream';

type Callback = (err: Error | null, written?: number, data?: unknown) => void;

const ROUTED = new Set(['write', 'writev', 'writeFile', 'appendFile']);

/** The descriptor a createWriteStream / WriteStream call is given in its options ({ fd }), if any. */
export function streamFd(base: string, args: unknown[]): number | null {
  return base === 'createWriteStream' || base === 'WriteStream' ? optionsFd(args) : null;
}

/** The descriptor a stream call (read or write) is given in its options ({ fd }), if any. */
export function optionsFd(args: unknown[]): number | null {
  const options = args[1];
  const fd = options !== null && typeof options === 'object' ? (options as { fd?: unknown }).fd : undefined;
  return typeof fd === 'number' ? fd : null;
}

/**
 * What the fs call `name` (`base` without Sync) returns when it writes to
 * descriptor 1 or 2, done through process.stdout / stderr; null when it
 * writes elsewhere and the real fs is to run it.
 */
export function stdioCall(base: string, name: string, args: unknown[]): { result: unknown } | null {
  const fd = ROUTED.has(base) ? args[0] : streamFd(base, args);
  if (fd !== 1 && fd !== 2) return null;
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!ROUTED.has(base)) return { result: stdioStream(stream) };
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? (last as Callback) : null;
  const bytes = base === 'writev' ? Buffer.concat((args[1] as ArrayBufferView[]).map(asBuffer)) : base === 'write' ? writeData(args) : fileData(args);
  stream.write(bytes);
  const fileCall = base === 'writeFile' || base === 'appendFile';
  if (callback) {
    process.nextTick(() => (fileCall ? callback(null) : callback(null, bytes.length, args[1])));
    return { result: undefined };
  }
  // writeSync and writevSync return the bytes written; the file functions nothing.
  return { result: !fileCall && name.endsWith('Sync') ? bytes.length : undefined };
}

/** A write stream on stdout or stderr: each chunk through it, never closing it. */
function stdioStream(stream: NodeJS.WriteStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.write(chunk);
      done();
    },
  });
}

/** fs.write(fd, string[, position[, encoding]]), (fd, buffer[, offset[, length[, position]]]) or (fd, buffer, { offset, length }). */
function writeData(args: unknown[]): Buffer {
  const data = args[1];
  if (typeof data === 'string') return Buffer.from(data, typeof args[3] === 'string' ? (args[3] as BufferEncoding) : 'utf8');
  const view = asBuffer(data as ArrayBufferView);
  const options = args[2] !== null && typeof args[2] === 'object' ? (args[2] as { offset?: number; length?: number }) : null;
  const offset = (options ? options.offset : typeof args[2] === 'number' ? args[2] : 0) ?? 0;
  const length = (options ? options.length : typeof args[3] === 'number' ? args[3] : undefined) ?? view.length - offset;
  return view.subarray(offset, offset + length);
}

/** fs.writeFile(fd, data[, options]) and appendFile: options an encoding or { encoding }. */
function fileData(args: unknown[]): Buffer {
  const data = args[1];
  if (typeof data !== 'string') return asBuffer(data as ArrayBufferView);
  const options = args[2];
  const encoding = typeof options === 'string' ? options : options !== null && typeof options === 'object' ? (options as { encoding?: string }).encoding : undefined;
  return Buffer.from(data, (encoding ?? 'utf8') as BufferEncoding);
}

function asBuffer(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
