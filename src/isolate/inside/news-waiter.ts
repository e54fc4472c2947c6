/**
 * How a plugin's delivery loop waits for the ingest thread to store more.
 *
 * Waking a thread that sleeps on shared memory (Atomics.waitAsync, woken by
 * Atomics.notify) takes a lock every thread shares: under load, with more
 * busy threads than cores, one wake cost the ingest thread a few hundred µs
 * (measured: 270 µs per notify, 6 % of the ingest thread). So while events
 * keep coming the loop naps a couple of milliseconds and looks at the head
 * itself, and only once traffic has stopped for a moment does it sleep on
 * the head, telling the ingest thread it must be woken (LogHead.sleepers).
 * Effects are at most HOT_NAP_MS later; an idle service does not spin.
 */
import type { IsolateBoard, LogHead } from '../shared-state';

/** How long a nap is while events keep coming. */
const HOT_NAP_MS = 2;
/**
 * How long after the last new event the loop keeps napping before it sleeps.
 * Short: under a trickle of events (a few a second) napping would cost more
 * than the wakes it saves.
 */
const HOT_FOR_MS = 50;

export class NewsWaiter {
  private lastSeen: number;
  private lastNewsAt = 0;
  /** Ends the nap in progress. */
  private wakeNow: (() => void) | null = null;
  /** The sleep on the head in progress: it holds one count of LogHead.sleepers. */
  private sleeping: Promise<void> | null = null;

  constructor(
    private readonly head: LogHead,
    private readonly board: IsolateBoard,
  ) {
    // What was stored before this loop started is not traffic: no naps for it.
    this.lastSeen = head.news;
  }

  /** The generation to pass to wait(): read it before looking at the log. */
  look(): number {
    const seen = this.head.news;
    if (seen !== this.lastSeen) {
      this.lastSeen = seen;
      this.lastNewsAt = Date.now();
    }
    return seen;
  }

  /** Resolves when there is news after `seen`, after `timeoutMs`, or on wake(). */
  async wait(seen: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() - this.lastNewsAt < HOT_FOR_MS) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      if (await this.nap(Math.min(HOT_NAP_MS, left))) return;
      if (this.head.news !== seen) return;
    }
    const left = deadline - Date.now();
    if (left <= 0) return;
    this.sleeping = this.head.waitForNews(seen, left, this.board);
    try {
      await this.sleeping;
    } finally {
      this.sleeping = null;
    }
  }

  /**
   * Ends the current wait now (work was queued, or the loop stops). A sleep
   * on the head is ended by waking the head's sleepers (the others look and
   * sleep again): left to its time-out, it would hold its count of sleepers
   * that long.
   */
  wake(): void {
    if (this.sleeping) this.head.wakeSleepers();
    this.wakeNow?.();
  }

  /** Resolves once the sleep on the head, if any, is over (call after wake() before the thread ends). */
  async settled(): Promise<void> {
    await this.sleeping;
  }

  /** True when woken before the time was up. */
  private nap(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wakeNow = () => {
        clearTimeout(timer);
        resolve(true);
      };
    }).finally(() => {
      this.wakeNow = null;
    });
  }
}
