/**
 * A failure that repeats while something is down (the database unreachable,
 * the disk full) is logged at once, then summed up at most once per interval
 * while it lasts, and its end is said. Logged one by one, a 5 s PostgreSQL
 * outage under light traffic wrote 44 "group commit failed" lines (one per
 * callback: under Tencent's load, thousands), which buried the line that
 * said why; and nothing said when it was over.
 */
import type { Logger } from 'pino';

const EVERY_MS = 10_000;

export class FailureSpell {
  private since: number | null = null;
  private total = 0;
  private unlogged = 0;
  private latest: { fields: Record<string, unknown>; message: string } | null = null;
  private lastLogged = 0;
  private timer: NodeJS.Timeout | null = null;

  /** `what` names what failed and works again: "group commits", "plugin delivery passes". */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly everyMs = EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  failed(fields: Record<string, unknown>, message: string): void {
    this.total++;
    if (this.since === null) {
      this.since = this.now();
      this.lastLogged = this.since;
      this.logger.error(fields, `${message} (repeats are summed up every ${Math.round(this.everyMs / 1000)} s until ${this.what} work again)`);
      return;
    }
    this.unlogged++;
    this.latest = { fields, message };
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastLogged + this.everyMs - this.now()));
      this.timer.unref();
    }
  }

  /** Cheap when nothing failed: called after every success. */
  succeeded(): void {
    if (this.since === null) return;
    this.flush();
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    this.logger.info({ failures: this.total, failingMs: this.now() - this.since }, `${this.what} work again after ${seconds} s; ${this.total} failed meanwhile`);
    this.since = null;
    this.total = 0;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.unlogged === 0 || !this.latest) return;
    this.logger.error({ ...this.latest.fields, repeated: this.unlogged }, `${this.unlogged} more failed since the last line; the latest: ${this.latest.message}`);
    this.lastLogged = this.now();
    this.unlogged = 0;
    this.latest = null;
  }
}
