/**
 * The body of a callback, read under the size cap, decompressed and decoded
 * to the text ingest stores as raw and parses.
 *
 * - The cap (`limitBytes`) holds for the bytes on the wire and again for the
 *   decompressed bytes, so a small gzip that inflates to gigabytes is a 413
 *   after `limitBytes` of output, not an out-of-memory.
 * - Content-Encoding gzip, deflate (zlib or raw) and br are undone; identity
 *   is nothing; anything else is a 415 naming it. A corrupt compressed body
 *   is the client's mistake: 400 saying so.
 * - The charset of Content-Type (UTF-8 when none) is decoded with iconv-lite
 *   (gbk, gb18030, big5, latin1, …); a charset it does not know is a 415
 *   naming it, never text turned into U+FFFD.
 * - A body over the cap is refused only after the rest of its upload is read
 *   and dropped, within a bound (drain-upload.ts), so clients that send the
 *   whole body before reading the answer still read the 413.
 * - Bytes being read count against ingest.maxBodyBytesInFlight
 *   (body-budget.ts): the declared Content-Length up front, or a chunked
 *   body's bytes as they arrive. Past it: 503 before the body is read.
 */
import type http from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import getRawBody from 'raw-body';
import iconv from 'iconv-lite';
import { LivehookError } from '../errors';
import type { BodyBudget, BodyReservation } from './body-budget';
import { bodyText } from './body-text';
import { drainUpload } from './drain-upload';
import { awaitsContinue, sendContinueIfAwaited } from './expect-continue';

export interface ReadBodyOptions {
  /** Largest body, on the wire and decompressed. */
  limitBytes: number;
  budget: BodyBudget;
  /** How long the rest of a refused upload may take to drain (default 5 s). */
  drainMs?: number;
  /** How long the body may take to arrive; past it 408, and the connection is closed (a stalled upload would hold its share of the budget). */
  timeoutMs: number;
}

const MIB = 1024 * 1024;
const DRAIN_MS = 5000;

/** Throws LivehookError: TOO_LARGE, BAD_ENCODING, BAD_COMPRESSION, INVALID_BODY or OVERLOADED. */
export async function readBody(req: http.IncomingMessage, res: http.ServerResponse, options: ReadBodyOptions): Promise<string> {
  const limit = options.limitBytes;
  // Both checked before a byte is read: a body we cannot decode is not worth receiving.
  const encodings = contentEncodings(req.headers['content-encoding']);
  const charset = declaredCharset(req.headers['content-type']);
  const declared = contentLength(req);
  // The whole upload we are willing to read and drop so that the client hears a refusal.
  const drain = { bytes: Math.max(4 * limit, limit + 4 * MIB), ms: options.drainMs ?? DRAIN_MS };

  if (declared !== null && declared > limit) {
    // A client waiting for 100 Continue has sent nothing: it hears the 413 at once.
    // Otherwise drain when the whole promised upload is within the bound; past it, answer and close.
    if (!awaitsContinue(req) && declared <= drain.bytes) await drainUpload(req, drain.bytes, drain.ms);
    throw tooLarge(limit);
  }
  const reservation = options.budget.reserve(declared ?? 0);
  try {
    sendContinueIfAwaited(req, res);
    const wire = await withDeadline(req, res, options.timeoutMs, () => readWire(req, res, declared, limit, reservation, drain));
    const body = encodings.length === 0 ? wire : await decompress(wire, encodings, limit);
    return bodyText(body, charset, CHARSET.test(req.headers['content-type'] ?? ''));
  } finally {
    reservation.release();
  }
}

async function readWire(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  declared: number | null,
  limit: number,
  reservation: BodyReservation,
  drain: { bytes: number; ms: number },
): Promise<Buffer> {
  // The usual case (Tencent sends Content-Length): raw-body alone checks length and cap.
  if (declared !== null) {
    try {
      return await getRawBody(req, { length: declared, limit });
    } catch (err) {
      throw readFailure(err, limit);
    }
  }
  // Chunked: count the bytes as they come, for the in-flight budget.
  let meterBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      meterBytes += chunk.length;
      try {
        reservation.growTo(Math.min(meterBytes, limit + 1));
      } catch (err) {
        done(err as Error);
        return;
      }
      done(null, chunk);
    },
  });
  // raw-body reads the meter, so it hears errors through it; this listener only keeps a late one from crashing.
  meter.on('error', () => undefined);
  // A pipe does not pass on the client leaving: without this the read would never end, nor its reservation.
  const onClose = (): void => {
    if (!req.complete) meter.destroy(Object.assign(new Error('request aborted'), { type: 'request.aborted' }));
  };
  req.once('close', onClose);
  // The deadline (withDeadline) is said to the request: pass it on to the meter raw-body reads.
  const onError = (err: Error): void => {
    meter.destroy(err);
  };
  req.on('error', onError);
  req.pipe(meter);
  try {
    return await getRawBody(meter, { limit });
  } catch (err) {
    req.unpipe(meter);
    meter.destroy();
    const failure = readFailure(err, limit);
    if (failure.code === 'TOO_LARGE' || failure.code === 'OVERLOADED') {
      await drainUpload(req, Math.max(0, drain.bytes - meterBytes), drain.ms);
      if (!req.complete) res.setHeader('Connection', 'close');
    }
    throw failure;
  } finally {
    req.off('close', onClose);
    req.off('error', onError);
  }
}

/**
 * Reads with a deadline: past it the read fails as a 408 and the connection
 * closes once answered. The error goes to the request, which every reader
 * (raw-body, or the chunked meter's pipe) listens to while reading.
 */
async function withDeadline<T>(req: http.IncomingMessage, res: http.ServerResponse, timeoutMs: number, read: () => Promise<T>): Promise<T> {
  const keepQuiet = (): void => undefined; // the timer's error after the read settled must not crash the process
  req.on('error', keepQuiet);
  const timer = setTimeout(() => {
    res.setHeader('Connection', 'close');
    req.emit('error', Object.assign(new Error('body timeout'), { type: 'request.timeout', timeoutMs }));
  }, timeoutMs);
  try {
    return await read();
  } finally {
    clearTimeout(timer);
    req.off('error', keepQuiet);
  }
}

/** raw-body's and our errors, as what the client is told. */
function readFailure(err: unknown, limit: number): LivehookError {
  if (err instanceof LivehookError) return err;
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return tooLarge(limit);
  if (type === 'request.timeout') {
    const ms = (err as { timeoutMs: number }).timeoutMs;
    return new LivehookError('BODY_TIMEOUT', `the body did not arrive within ${ms} ms of the request (http.bodyTimeoutMs): send it at once`);
  }
  // Node's parser gave up on the body (bad chunk framing), or the client reset: the client's doing.
  if ((err as { code?: string }).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
    return new LivehookError('INVALID_BODY', 'the body could not be read to its end (malformed chunks, or the client closed the connection)');
  }
  if (type === 'request.aborted') return new LivehookError('INVALID_BODY', 'the client closed the connection before the whole body was received');
  if (type === 'request.size.invalid') return new LivehookError('INVALID_BODY', 'the body is shorter than its Content-Length');
  return new LivehookError('INTERNAL', 'internal error: livehook could not read the body (logged)', {}, { cause: err });
}

function tooLarge(limit: number): LivehookError {
  return new LivehookError('TOO_LARGE', `body too large: the limit is ${limit} bytes (http.bodyLimitBytes)`, { limit });
}

const SUPPORTED_ENCODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The codings applied, in the order they were applied; identity left out. Throws 415 for one we cannot undo. */
function contentEncodings(header: string | undefined): string[] {
  if (!header) return [];
  const codings: string[] = [];
  for (const part of header.split(',')) {
    const coding = part.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    if (!SUPPORTED_ENCODINGS.has(coding)) {
      throw new LivehookError('BAD_ENCODING', `Content-Encoding "${shorten(coding)}" is not supported: send the body as identity, gzip, deflate or br`, { header: 'Content-Encoding' });
    }
    codings.push(coding);
  }
  return codings;
}

const NOT_CHARSETS = new Set(['base64', 'base64url', 'hex']);
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/** The charset of Content-Type, UTF-8 when none is declared. Throws 415 for one iconv-lite does not know. */
function declaredCharset(contentType: string | undefined): string {
  const match = contentType ? CHARSET.exec(contentType) : null;
  const charset = match ? (match[1] ?? match[2]).trim() : '';
  if (charset === '') return 'utf-8';
  // iconv-lite also knows base64 and hex, which are not charsets: decoding "as" them would turn bytes into their digits.
  if (!iconv.encodingExists(charset) || NOT_CHARSETS.has(charset.toLowerCase())) {
    throw new LivehookError('BAD_ENCODING', `charset "${shorten(charset)}" of Content-Type is not supported: send UTF-8, or a charset such as gbk, gb18030 or big5`, { header: 'Content-Type' });
  }
  return charset;
}

function contentLength(req: http.IncomingMessage): number | null {
  const header = req.headers['content-length'];
  // Node's parser has refused a malformed Content-Length already; chunked bodies have none.
  return header === undefined ? null : Number(header);
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Undoes the codings, last applied first, each output capped at `limit` bytes. */
async function decompress(wire: Buffer, codings: string[], limit: number): Promise<Buffer> {
  let body = wire;
  for (const coding of [...codings].reverse()) {
    try {
      body = await undo(coding, body, limit);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new LivehookError('TOO_LARGE', `body too large: it is over the limit of ${limit} bytes once decompressed (Content-Encoding: ${coding}; http.bodyLimitBytes)`, { limit });
      }
      const reason = err instanceof Error ? err.message : String(err);
      throw new LivehookError('BAD_COMPRESSION', `the body is not valid ${coding} data although Content-Encoding says so: ${reason}`, { header: 'Content-Encoding' }, { cause: err });
    }
  }
  return body;
}

async function undo(coding: string, body: Buffer, limit: number): Promise<Buffer> {
  const options = { maxOutputLength: limit };
  if (coding === 'br') return brotliDecompress(body, options);
  if (coding !== 'deflate') return gunzip(body, options);
  // "deflate" is meant to be zlib-wrapped, but some clients send raw deflate: take either.
  try {
    return await inflate(body, options);
  } catch (err) {
    if ((err as { code?: string }).code !== 'Z_DATA_ERROR') throw err;
    try {
      return await inflateRaw(body, options);
    } catch (rawErr) {
      throw (rawErr as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? rawErr : err;
    }
  }
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
