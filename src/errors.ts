/**
 * The one catalogue of livehook's errors.
 *
 * Every error a person may see (an HTTP client, an operator reading a log, a
 * plugin author) is a LivehookError with a stable `code` from this table, the
 * HTTP status it maps to (when it reaches HTTP), and a message that says in
 * words what is wrong and which field, file or plugin it concerns.
 *
 * `errorCode` is the number sent to Tencent in the FAIL envelope's ErrorCode:
 * stable, non-zero, one per kind of failure, so an operator can grep for it.
 */
export const ERRORS = {
  // --- the callback endpoint (4xx: the client can fix it) -----------------
  BAD_JSON: { status: 400, errorCode: 40001, title: 'malformed JSON' },
  NOT_AN_OBJECT: { status: 400, errorCode: 40002, title: 'body is not a JSON object' },
  INVALID_BODY: { status: 400, errorCode: 40003, title: 'invalid callback body' },
  EMPTY_BODY: { status: 400, errorCode: 40004, title: 'empty body' },
  MISSING_COMMAND: { status: 400, errorCode: 40005, title: 'missing CallbackCommand' },
  BAD_DATE: { status: 400, errorCode: 40006, title: 'malformed date (expected YYYY-MM-DD)' },
  BAD_COMPRESSION: { status: 400, errorCode: 40007, title: 'corrupt compressed body' },
  BAD_FORM: { status: 400, errorCode: 40008, title: 'incomplete form' },
  BAD_TEXT: { status: 400, errorCode: 40009, title: 'body is not valid text in its charset' },
  BAD_REQUEST: { status: 400, errorCode: 40010, title: 'malformed HTTP request' },
  BODY_TIMEOUT: { status: 408, errorCode: 40801, title: 'body not received in time' },
  HEADERS_TOO_LARGE: { status: 431, errorCode: 43101, title: 'request headers too large' },
  BAD_ENCODING: { status: 415, errorCode: 41501, title: 'unsupported body encoding' },
  AUTH_REQUIRED: { status: 401, errorCode: 40101, title: 'authentication failed' },
  FORBIDDEN_APP: { status: 403, errorCode: 40301, title: 'SdkAppid not accepted' },
  NOT_FOUND: { status: 404, errorCode: 40401, title: 'not found' },
  METHOD_NOT_ALLOWED: { status: 405, errorCode: 40501, title: 'method not allowed' },
  EXPECTATION_FAILED: { status: 417, errorCode: 41701, title: 'unsupported Expect header' },
  TOO_LARGE: { status: 413, errorCode: 41301, title: 'body too large' },
  OVERLOADED: { status: 503, errorCode: 50301, title: 'overloaded, retry later' },
  SHUTTING_DOWN: { status: 503, errorCode: 50302, title: 'shutting down, retry later' },
  NOT_READY: { status: 503, errorCode: 50303, title: 'not ready' },
  STORE_UNAVAILABLE: { status: 503, errorCode: 50304, title: 'database unreachable, retry later' },
  STORE_TOO_SLOW: { status: 503, errorCode: 50305, title: 'store too slow to answer in time, retry later' },
  STORE_FAILED: { status: 500, errorCode: 50001, title: 'could not store the event' },
  INTERNAL: { status: 500, errorCode: 50000, title: 'internal error' },

  // --- start-up and operation (no HTTP status: they stop the process) ------
  CONFIG_INVALID: { status: 0, errorCode: 0, title: 'invalid configuration' },
  PLUGIN_INVALID: { status: 0, errorCode: 0, title: 'invalid plugin' },
  PLUGIN_CAPABILITY_DENIED: { status: 0, errorCode: 0, title: 'plugin capability not granted' },
  PLUGIN_FAILED: { status: 0, errorCode: 0, title: 'plugin failed' },
  PLUGIN_TIMEOUT: { status: 0, errorCode: 0, title: 'plugin timed out' },
  PERMANENT_FAILURE: { status: 0, errorCode: 0, title: 'permanent failure, no retry' },
  STORE_SCHEMA: { status: 0, errorCode: 0, title: 'store schema problem' },
  DISK_FULL: { status: 0, errorCode: 0, title: 'no space left in the data dir' },
  PORT_UNAVAILABLE: { status: 0, errorCode: 0, title: 'cannot listen on the port' },
  USAGE: { status: 0, errorCode: 0, title: 'bad command line' },
} as const;

export type ErrorName = keyof typeof ERRORS;

export class LivehookError extends Error {
  readonly code: ErrorName;
  readonly status: number;
  readonly errorCode: number;
  /** Extra facts for logs (field, file, plugin, ...). Never secrets. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorName, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LivehookError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.errorCode = ERRORS[code].errorCode;
    this.details = details;
  }
}

/** A plugin throws this to say "retrying cannot help": the delivery goes dead at once. */
export class PermanentError extends LivehookError {
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('PERMANENT_FAILURE', message, details, options);
    this.name = 'PermanentError';
  }
}

export function isLivehookError(err: unknown): err is LivehookError {
  return err instanceof LivehookError;
}

/** A one-line description of anything thrown, for logs and stored failure reasons. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
