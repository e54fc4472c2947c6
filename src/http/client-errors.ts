/**
 * Requests Node's HTTP parser refuses before Koa sees them (headers too
 * large, a malformed request, a request that took too long) are answered
 * with the FAIL envelope and words, like every other refusal, instead of
 * Node's bare status line.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { LivehookError } from '../errors';
import { failEnvelope } from './envelope';

/** How long the headers of a request may take (Node's default is a minute: slow-header clients hold sockets that long). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * How often Node looks for requests past those time-outs: its default, 30 s,
 * let a client that trickles a header line a second hold its socket 36 s.
 * Pass it to http.createServer.
 */
export const TIMEOUT_CHECK_MS = 1_000;

export function answerClientErrors(server: http.Server, bodyTimeoutMs: number): void {
  // CONNECT (a proxy tunnel) never reaches the app: Node would close the connection without an answer.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    answerOnSocket(socket, new LivehookError('METHOD_NOT_ALLOWED', 'method CONNECT is not allowed: livehook is not a proxy; POST callbacks to /callback'));
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  // Past the body's own deadline (read-body.ts answers 408 first), Node's backstop for the whole request.
  server.requestTimeout = HEADERS_TIMEOUT_MS + bodyTimeoutMs + 5_000;
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const pending = (socket as { _httpMessage?: { shouldKeepAlive: boolean; req?: { complete: boolean } } | null })._httpMessage;
    if (pending && socket.writable && pending.req?.complete) {
      // Junk after a complete request on the same connection: the answer to that request is on its
      // way (its callback may be stored already); let it go out, then close, instead of cutting it off.
      // (A request cut off mid-body is not complete: its socket goes, and its read ends at once.)
      pending.shouldKeepAlive = false;
      return;
    }
    // The client left mid-request (end of stream where the body should go on): nobody to answer.
    if (!socket.writable || err.code === 'HPE_INVALID_EOF_STATE' || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    // Otherwise the parser refused what was sent (a request still being read included, such as a
    // body with malformed chunks): answer it here; the handler reading that body gives up as the socket ends.
    answerOnSocket(socket, refusalOf(err));
  });
}

/** The FAIL envelope written straight to a socket Node's server will not answer, which then closes. */
function answerOnSocket(socket: Duplex, refusal: LivehookError): void {
  const body = JSON.stringify(failEnvelope(refusal));
  const title = http.STATUS_CODES[refusal.status] ?? 'Bad Request';
  socket.end(`HTTP/1.1 ${refusal.status} ${title}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** What Node's parser found, in words, for the codes a client is likely to cause. */
const PARSER_WORDS: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: 'the method is not a known HTTP method',
  HPE_INVALID_URL: 'the request target is not a valid path',
  HPE_INVALID_VERSION: 'the protocol is not HTTP/1.0 or HTTP/1.1',
  HPE_INVALID_HEADER_TOKEN: 'a header name holds a character not allowed there (a space, a colon, a control character)',
  HPE_INVALID_CONSTANT: 'the request line or a header is not written as HTTP requires',
  HPE_LF_EXPECTED: 'a line does not end with CRLF',
  HPE_CR_EXPECTED: 'a line does not end with CRLF',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length is not a number',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length is sent twice',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding is not chunked, or not last',
  HPE_INVALID_CHUNK_SIZE: 'a chunk size is not a hexadecimal number',
};

function refusalOf(err: Error & { code?: string }): LivehookError {
  let refusal: LivehookError;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    refusal = new LivehookError('HEADERS_TOO_LARGE', 'the request line and headers are too large (over 16 KiB): send a shorter query string and fewer headers');
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    refusal = new LivehookError('BODY_TIMEOUT', 'the request did not arrive in time: send its headers and body at once');
  } else {
    const lengthHint = /CONTENT_LENGTH|CHUNK/.test(err.code ?? '') ? ': check Content-Length or the chunks against the body sent' : '';
    // The parser files "both framing headers" under either header's code: its own reason tells.
    const reason = String((err as { reason?: unknown }).reason);
    const both = /can't be present with/.test(reason);
    // ...and a bad header value (a NUL, a line folded onto the next) under the header name's code.
    const inValue = err.code === 'HPE_INVALID_HEADER_TOKEN' && /header value/.test(reason);
    const what = both
      ? 'Content-Length and Transfer-Encoding are both sent: send one of them'
      : inValue
        ? 'a header value holds a character not allowed there (a control character such as NUL), or goes on over a second line'
        : PARSER_WORDS[err.code ?? ''];
    refusal = new LivehookError('BAD_REQUEST', `the HTTP request is malformed${what ? `: ${what}` : ''} (${err.code ?? err.message})${lengthHint}`);
  }
  return refusal;
}
