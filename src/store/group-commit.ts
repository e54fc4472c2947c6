/**
 * Group commit: many writers, one transaction.
 *
 * A durable commit costs a disk flush, so committing each callback on its own
 * would cap ingest at the disk's flush rate. Instead, items pushed during one
 * turn of the event loop are queued and written together when the loop
 * reaches its check phase (setImmediate), or at once when a batch is full.
 * Every push resolves only after the commit that holds it, and a failed
 * commit rejects every item of that batch (none of them is stored).
 *
 * It knows nothing of SQL: the engine passes a `commit` function that writes
 * one batch in one transaction (SQLite: on its writer thread; PostgreSQL: on
 * a pooled connection). At most one commit runs at a time, so items are
 * committed in push order; what is pushed while one runs goes in the next.
 */

export interface GroupCommitStats {
  /** Commits attempted (successful or not). */
  commits: number;
  /** Items in those commits. */
  items: number;
  /** Commits that failed (their items were all rejected). */
  failedCommits: number;
  /** The largest batch committed so far. */
  largestBatch: number;
}

export interface GroupCommitOptions<I, R> {
  /** Commit as soon as this many items wait, without waiting for the loop turn to end. */
  maxBatch: number;
  /**
   * With `weigh`: a batch also closes once its items weigh this much (bytes, say),
   * so that many large items never make one transaction too big to send or hold.
   * An item heavier than this on its own goes in a batch alone.
   */
  maxWeight?: number;
  weigh?(item: I): number;
  /** Writes all items in ONE transaction and returns one result per item, in order. Throw to fail the batch. */
  commit(items: I[]): R[] | Promise<R[]>;
  /** Turns what `commit` threw into the error each waiting promise is rejected with. */
  wrapError?(err: unknown, batchSize: number): unknown;
}

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<I, R> {
  private queue: Array<Waiting<I, R>> = [];
  private inFlight = 0;
  /** With `weigh`: what the queued and committing items weigh together. */
  private weight = 0;
  private inFlightWeight = 0;
  private scheduled = false;
  private running: Promise<void> | null = null;
  private readonly counters: GroupCommitStats = { commits: 0, items: 0, failedCommits: 0, largestBatch: 0 };

  constructor(private readonly options: GroupCommitOptions<I, R>) {
    if (!(options.maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1 (got ${options.maxBatch})`);
  }

  /** Queue one item; resolves with its result once the commit that holds it is done. */
  push(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.options.weigh) this.weight += this.options.weigh(item);
      if (this.queue.length >= this.options.maxBatch && !this.running) {
        // A full batch goes now: waiting for the loop turn would only grow memory.
        void this.run();
      } else {
        this.schedule();
      }
    });
  }

  /** Items pushed whose commit has not finished yet. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** What they weigh (0 without `weigh`). */
  get pendingWeight(): number {
    return this.weight + this.inFlightWeight;
  }

  stats(): GroupCommitStats {
    return { ...this.counters };
  }

  /** Commits everything queued so far (and waits for a commit already running). Never rejects. */
  async flush(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      await (this.running ?? this.run());
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) void this.run();
    });
  }

  /** Commits batches until the queue is empty; only one drain runs at a time. */
  private run(): Promise<void> {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.commitOneBatch();
  }

  /** How many queued items the next batch takes: up to maxBatch, and up to maxWeight (at least one). */
  private nextBatchSize(): number {
    const limit = Math.min(this.queue.length, this.options.maxBatch);
    const { weigh, maxWeight } = this.options;
    if (!weigh || maxWeight === undefined) return limit;
    let weight = 0;
    for (let i = 0; i < limit; i++) {
      weight += weigh(this.queue[i]!.item);
      if (weight > maxWeight) return Math.max(1, i);
    }
    return limit;
  }

  private async commitOneBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.nextBatchSize());
    this.inFlight = batch.length;
    if (this.options.weigh) {
      let w = 0;
      for (const waiting of batch) w += this.options.weigh(waiting.item);
      this.weight -= w;
      this.inFlightWeight = w;
    }
    this.counters.commits += 1;
    this.counters.items += batch.length;
    if (batch.length > this.counters.largestBatch) this.counters.largestBatch = batch.length;
    let results: R[];
    try {
      results = await this.options.commit(batch.map((w) => w.item));
      if (results.length !== batch.length) {
        throw new Error(`group commit returned ${results.length} results for ${batch.length} items`);
      }
    } catch (err) {
      this.counters.failedCommits += 1;
      this.inFlight = 0;
      this.inFlightWeight = 0;
      const reason = this.options.wrapError ? this.options.wrapError(err, batch.length) : err;
      for (const w of batch) w.reject(reason);
      return;
    }
    this.inFlight = 0;
    this.inFlightWeight = 0;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
  }
}
