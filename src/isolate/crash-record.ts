/**
 * A plugin's crashes: how many in the last window (CRASHES_TO_FAIL of them
 * within CRASH_WINDOW_MS make it `failed`), how long to wait before the next
 * restart (1 s, 2 s, 4 s... up to MAX_RESTART_DELAY_MS), and when it counts
 * as healthy again (HEALTHY_AFTER_MS without a crash).
 */
const CRASH_WINDOW_MS = 10 * 60_000;
const CRASHES_TO_FAIL = 3;
const HEALTHY_AFTER_MS = 60_000;
const MAX_RESTART_DELAY_MS = 5 * 60_000;

export class CrashRecord {
  /** Crashes (and failed restarts) within the window. */
  private times: number[] = [];
  /** Every crash since start (metrics, `livehook plugins`). */
  restarts = 0;
  private healthyTimer: NodeJS.Timeout | null = null;

  /** `onHealthy`: it ran HEALTHY_AFTER_MS since its last crash. */
  constructor(private readonly onHealthy: () => void) {}

  /** A crash: counted, and the healthy clock starts again. */
  crashed(): void {
    const now = Date.now();
    this.times = this.times.filter((t) => now - t < CRASH_WINDOW_MS);
    this.times.push(now);
    this.restarts += 1;
    this.startHealthyClock();
  }

  /**
   * It runs again after failed starts (an init that threw): the healthy clock
   * starts from now. Without it a plugin whose init failed three times, and
   * never crashed, stayed `failed` for good once it ran.
   */
  running(): void {
    if (this.times.length > 0) this.startHealthyClock();
  }

  /** A restart that failed counts towards `failed` (and a longer wait) too. */
  restartFailed(): void {
    this.times.push(Date.now());
  }

  get failing(): boolean {
    return this.times.length >= CRASHES_TO_FAIL;
  }

  get restartDelayMs(): number {
    return Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** Math.min(this.times.length - 1, 20));
  }

  private startHealthyClock(): void {
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => {
      this.times = [];
      this.onHealthy();
    }, HEALTHY_AFTER_MS);
    this.healthyTimer.unref();
  }

  stop(): void {
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
  }
}
