/**
 * Memory shared between the ingest thread and the plugin isolates, so that
 * the hot path never sends a message per event:
 *
 * - LogHead: the newest seq stored. Ingest publishes it after each commit
 *   ("stored up to N") and wakes the isolates that sleep on it
 *   (Atomics.waitAsync); isolates busy with traffic look at it themselves
 *   (see inside/news-waiter.ts). A sleeper marks itself on its board too, so
 *   that when its thread is killed mid-sleep (terminated, crashed) the
 *   ingest thread counts it out (countOut): left counted, it would cost
 *   every commit from then on a wake nobody needs.
 * - IsolateBoard: one per plugin, written by its isolate and read by the
 *   ingest thread: how far the plugin is (its cursor, for backpressure and
 *   metrics), a heartbeat (the watchdog's "is its event loop turning?"), and
 *   the deliveries in progress (so that when the isolate dies or must be
 *   killed, each of them is counted as a failed attempt).
 *
 * Seqs and times are stored in Float64 slots: exact up to 2^53, which seqs
 * and millisecond times never reach.
 */

/** Int32 slots of LogHead: the generation counter, and how many isolates sleep on it. */
const GENERATION = 0;
const SLEEPERS = 1;

/** The newest stored seq, a generation counter isolates wait on, and how many sleep on it. */
export class LogHead {
  private readonly generation: Int32Array;
  private readonly value: Float64Array;
  private wakeScheduled = false;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.generation = new Int32Array(buffer, 0, 2);
    this.value = new Float64Array(buffer, 8, 1);
  }

  static create(): LogHead {
    return new LogHead(new SharedArrayBuffer(16));
  }

  static from(buffer: SharedArrayBuffer): LogHead {
    return new LogHead(buffer);
  }

  get seq(): number {
    return this.value[0]!;
  }

  /**
   * Ingest: events up to `seq` are stored. Wakes the isolates that sleep on
   * the head, once this turn of the event loop is over: a wake takes a lock
   * every thread shares, and with more busy threads than cores it held the
   * ingest thread about 270 µs. An isolate that looks before the wake sees
   * the new generation and does not sleep at all.
   */
  publish(seq: number): void {
    if (seq <= this.value[0]!) return;
    this.value[0] = seq;
    Atomics.add(this.generation, GENERATION, 1);
    // Read after the generation moved: an isolate that starts to sleep after this read sees the new generation and does not sleep.
    if (this.wakeScheduled || Atomics.load(this.generation, SLEEPERS) === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      Atomics.notify(this.generation, GENERATION);
    });
  }

  /** The generation now: pass it to waitForNews to wait for anything newer. */
  get news(): number {
    return Atomics.load(this.generation, GENERATION);
  }

  /** How many isolates sleep on the head now. */
  get sleepers(): number {
    return Atomics.load(this.generation, SLEEPERS);
  }

  /** Wakes every isolate sleeping on the head now (one of them stops; the others look and sleep again). */
  wakeSleepers(): void {
    Atomics.notify(this.generation, GENERATION);
  }

  /** Resolves when a seq newer than generation `seen` is published, or after timeoutMs. `board`: the sleeping isolate's. */
  async waitForNews(seen: number, timeoutMs: number, board: IsolateBoard): Promise<void> {
    // Counted, then marked; unmarked, then counted out. A thread killed between
    // the two steps leaves one count too many (a needless wake), never one too few (a sleeper nobody wakes).
    Atomics.add(this.generation, SLEEPERS, 1);
    board.asleep = true;
    try {
      const wait = Atomics.waitAsync(this.generation, GENERATION, seen, timeoutMs);
      if (wait.async) await wait.value;
    } finally {
      board.asleep = false;
      Atomics.sub(this.generation, SLEEPERS, 1);
    }
  }

  /** Ingest, once an isolate's thread has ended: if it ended asleep on the head, it sleeps no more. */
  countOut(board: IsolateBoard): void {
    if (!board.asleep) return;
    board.asleep = false;
    Atomics.sub(this.generation, SLEEPERS, 1);
  }
}

const CURSOR = 0;
const HEARTBEAT = 1;
const STARTED = 2;
const BUSY = 3;
const METRICS_SENT = 4;
const ASLEEP = 5;
const CURSOR_KNOWN = 6;
/** The delivery that returned last: seq, attempt, when (see lastReturned). */
const RETURNED_SEQ = 7;
const RETURNED_ATTEMPT = 8;
const RETURNED_AT = 9;
const HEADER = 10;
/** Per delivery slot: seq (0 = free), attempt, started at. */
const SLOT = 3;

export interface InFlight {
  seq: number;
  attempt: number;
  startedAt: number;
}

/** One plugin isolate's figures, written by the isolate, read by the ingest thread. */
export class IsolateBoard {
  private readonly cells: Float64Array;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    readonly slots: number,
  ) {
    this.cells = new Float64Array(buffer);
  }

  /** `slots`: how many deliveries may run at once (the plugin's concurrency). */
  static create(slots: number): IsolateBoard {
    return new IsolateBoard(new SharedArrayBuffer((HEADER + slots * SLOT) * 8), slots);
  }

  static from(buffer: SharedArrayBuffer): IsolateBoard {
    return new IsolateBoard(buffer, (buffer.byteLength / 8 - HEADER) / SLOT);
  }

  /** Highest seq the plugin has finished (in memory; saved to the store a little later). */
  get cursor(): number {
    return this.cells[CURSOR]!;
  }

  set cursor(seq: number) {
    this.cells[CURSOR] = seq;
  }

  /** When the isolate's event loop last turned (ms). */
  get heartbeat(): number {
    return this.cells[HEARTBEAT]!;
  }

  beat(now: number): void {
    this.cells[HEARTBEAT] = now;
  }

  /** The isolate is delivering (set once its cursor is loaded). */
  get started(): boolean {
    return this.flag(STARTED);
  }

  set started(value: boolean) {
    this.setFlag(STARTED, value);
  }

  /** A pass over the log or its retries is running. */
  get busy(): boolean {
    return this.flag(BUSY);
  }

  set busy(value: boolean) {
    this.setFlag(BUSY, value);
  }

  /** The cursor is loaded (before the plugin's init): it counts towards the backlog even while the plugin fails to start. */
  get cursorKnown(): boolean {
    return this.flag(CURSOR_KNOWN);
  }

  set cursorKnown(value: boolean) {
    this.setFlag(CURSOR_KNOWN, value);
  }

  /** The isolate's delivery loop sleeps on the log head (counted in LogHead.sleepers). */
  get asleep(): boolean {
    return this.flag(ASLEEP);
  }

  set asleep(value: boolean) {
    this.setFlag(ASLEEP, value);
  }

  /** Metrics messages the isolate has sent: the ingest thread compares with those it has read (are the figures complete?). */
  get metricsSent(): number {
    return this.cells[METRICS_SENT]!;
  }

  countMetricsSent(): void {
    this.cells[METRICS_SENT] = this.cells[METRICS_SENT]! + 1;
  }

  private flag(cell: number): boolean {
    return this.cells[cell] === 1;
  }

  private setFlag(cell: number, value: boolean): void {
    this.cells[cell] = value ? 1 : 0;
  }

  /** Takes a free slot for a delivery; returns its index (the caller frees it). */
  claim(seq: number, attempt: number, now: number): number {
    for (let i = 0; i < this.slots; i++) {
      const at = HEADER + i * SLOT;
      if (this.cells[at] === 0) {
        this.cells[at + 1] = attempt;
        this.cells[at + 2] = now;
        this.cells[at] = seq;
        return i;
      }
    }
    // More deliveries than slots cannot happen (lanes = concurrency); never lose track silently.
    throw new Error(`no free delivery slot (${this.slots} in use)`);
  }

  release(slot: number): void {
    this.cells[HEADER + slot * SLOT] = 0;
  }

  /** Deliveries started and not finished. */
  inFlight(): InFlight[] {
    const out: InFlight[] = [];
    for (let i = 0; i < this.slots; i++) {
      const at = HEADER + i * SLOT;
      const seq = this.cells[at]!;
      if (seq !== 0) out.push({ seq, attempt: this.cells[at + 1]!, startedAt: this.cells[at + 2]! });
    }
    return out;
  }

  /** A delivery's handler returned (it succeeded). */
  returned(seq: number, attempt: number, now: number): void {
    this.cells[RETURNED_ATTEMPT] = attempt;
    this.cells[RETURNED_AT] = now;
    this.cells[RETURNED_SEQ] = seq;
  }

  /** The delivery that returned last, `startedAt` being when it returned; null when none has. */
  lastReturned(): InFlight | null {
    const seq = this.cells[RETURNED_SEQ]!;
    return seq === 0 ? null : { seq, attempt: this.cells[RETURNED_ATTEMPT]!, startedAt: this.cells[RETURNED_AT]! };
  }

  /** Forget every delivery (the isolate is gone and its deliveries were accounted for). */
  clearSlots(): void {
    for (let i = 0; i < this.slots; i++) this.cells[HEADER + i * SLOT] = 0;
    this.cells[RETURNED_SEQ] = 0;
  }
}
