/**
 * ingest.maxBodyBytesInFlight: how many bytes of callback bodies this
 * process may be receiving at once. Bodies are buffered whole before they
 * are parsed, so without a bound a crowd of slow 1 MiB uploads holds as much
 * memory as it likes; past the bound a new body is answered 503 (Tencent
 * retries) before a byte of it is read.
 */
import { LivehookError } from '../errors';

export class BodyBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes reserved by bodies being read now. */
  inFlight(): number {
    return this.used;
  }

  /**
   * Reserves `bytes` (a declared Content-Length, or 0 for a chunked body that
   * grows its reservation as it arrives). Throws OVERLOADED past the bound.
   */
  reserve(bytes: number): BodyReservation {
    this.take(bytes, 0);
    return new BodyReservation(this, bytes);
  }

  /** @internal `own`: what the asking body holds already. */
  take(bytes: number, own: number): void {
    // A body alone bigger than the whole budget is still let in when no other is being read:
    // the size cap (413) is its limit, not this.
    if (this.used - own > 0 && this.used + bytes > this.maxBytes) {
      throw new LivehookError(
        'OVERLOADED',
        `overloaded: ${mib(this.used)} of callback bodies are being received (ingest.maxBodyBytesInFlight is ${mib(this.maxBytes)}); retry later`,
      );
    }
    this.used += bytes;
  }

  /** @internal */
  give(bytes: number): void {
    this.used -= bytes;
  }
}

export class BodyReservation {
  private released = false;

  constructor(
    private readonly budget: BodyBudget,
    private bytes: number,
  ) {}

  /** The body turned out to hold `total` bytes so far: reserve the difference (throws OVERLOADED). */
  growTo(total: number): void {
    if (this.released || total <= this.bytes) return;
    this.budget.take(total - this.bytes, this.bytes);
    this.bytes = total;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.bytes);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
