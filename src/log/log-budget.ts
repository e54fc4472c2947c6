/**
 * A plugin that logs without end (a megabyte per event, a line per byte)
 * would fill the service's disk through journald or a log file, and drown the
 * lines an operator needs. Each plugin isolate's log lines pass through a
 * budget: past `lines` or `bytes` within a second, lines are dropped and
 * counted, and when that second is over one line says how many went.
 */
export interface LogLimits {
  /** Lines a second. */
  lines: number;
  /** Bytes a second (a single line longer than this is always dropped). */
  bytes: number;
}

/** What an isolate may write a second: far above a plugin at work (an error line per failed event at thousands of events a second is not cut). */
export const PLUGIN_LOG_LIMITS: LogLimits = { lines: 5_000, bytes: 4 * 1024 * 1024 };

export class LogBudget {
  private windowStart = -Infinity;
  private lines = 0;
  private bytes = 0;
  private dropped = { lines: 0, bytes: 0 };
  private reportTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: LogLimits,
    private readonly write: (line: string) => void,
    /** Told once a second was over in which lines were dropped. */
    private readonly onDropped: (dropped: { lines: number; bytes: number }, limits: LogLimits) => void,
    private readonly now: () => number = Date.now,
  ) {}

  offer(line: string): void {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.report();
      this.windowStart = t;
      this.lines = 0;
      this.bytes = 0;
    }
    if (this.lines + 1 > this.limits.lines || this.bytes + line.length > this.limits.bytes) {
      this.dropped.lines++;
      this.dropped.bytes += line.length;
      // Said at the end of this second even if nothing is logged after it.
      this.reportTimer ??= setTimeout(() => {
        this.reportTimer = null;
        this.report();
      }, Math.max(0, this.windowStart + 1000 - t)).unref();
      return;
    }
    this.lines++;
    this.bytes += line.length;
    this.write(line);
  }

  /** Says what was dropped, if anything (at the isolate's end too). */
  report(): void {
    if (this.reportTimer) clearTimeout(this.reportTimer);
    this.reportTimer = null;
    if (this.dropped.lines === 0) return;
    const dropped = this.dropped;
    this.dropped = { lines: 0, bytes: 0 };
    this.onDropped(dropped, this.limits);
  }
}
