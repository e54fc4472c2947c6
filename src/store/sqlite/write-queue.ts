/**
 * One group commit for every write of the SQLite store.
 *
 * Appended events and the other writes (cursor moves, record puts, failed
 * deliveries...) queue together and go to the writer thread as one request,
 * so they share one transaction and one fsync: with two queues they would
 * reach the writer at different moments and cost two. While a request is at
 * the writer, what arrives waits and goes with the next one.
 */
import type { WriteResult } from '../core/statements';
import { MAX_BATCH_BYTES, columnsWeight, type EventColumns } from '../event-columns';
import { GroupCommit, type GroupCommitStats } from '../group-commit';
import type { AppendResult } from '../store';
import type { SqliteWriter } from './sqlite-writer';
import type { NamedWrite, WriterError } from './writer-protocol';

type Item = { event: EventColumns; op?: undefined } | { op: NamedWrite; event?: undefined };
type Outcome = { ok: true; value: AppendResult | WriteResult } | { ok: false; error: WriteFailure };

/** Why a write was refused: SQLite's message and code, and how many events its batch held. */
export class WriteFailure extends Error {
  readonly code: string | undefined;

  constructor(
    error: WriterError,
    /** Events that were in the same batch, and were refused with this one (0 for a failed op). */
    readonly events: number,
  ) {
    super(error.message);
    this.name = 'WriteFailure';
    this.code = error.code;
  }
}

export class WriteQueue {
  private readonly queue: GroupCommit<Item, Outcome>;
  private waitingEvents = 0;
  private waitingBytes = 0;

  /**
   * `onCommitted` hears how each commit went: null when something of it was
   * written, else the failure of its first refused write (the store's
   * readiness follows it: see SqliteStore.ping).
   */
  constructor(writer: SqliteWriter, maxBatch: number, onBatchFailed: (failure: WriteFailure, items: number) => void, onCommitted: (failure: WriteFailure | null) => void = () => undefined) {
    this.queue = new GroupCommit<Item, Outcome>({
      maxBatch,
      maxWeight: MAX_BATCH_BYTES,
      weigh: (item) => (item.event ? columnsWeight(item.event) : writeWeight(item.op)),
      commit: async (items) => {
        const events: EventColumns[] = [];
        const ops: NamedWrite[] = [];
        for (const item of items) {
          if (item.event) events.push(item.event);
          else ops.push(item.op);
        }
        let written;
        try {
          written = await writer.write(events, ops);
        } catch (err) {
          const failure = new WriteFailure(toWriterError(err), events.length);
          onBatchFailed(failure, items.length);
          onCommitted(failure);
          throw failure;
        }
        const { appended, outcomes } = written;
        const eventsFailure = appended.ok ? null : new WriteFailure(appended.error, events.length);
        const wroteSomething = (events.length > 0 && appended.ok) || outcomes.some((o) => o.ok);
        const failedOp = outcomes.find((o) => !o.ok);
        const failure = eventsFailure ?? (failedOp && !failedOp.ok ? new WriteFailure(failedOp.error, 0) : null);
        onCommitted(wroteSomething ? null : failure);
        let e = 0;
        let o = 0;
        return items.map((item): Outcome => {
          if (item.event) {
            return eventsFailure ? { ok: false, error: eventsFailure } : { ok: true, value: (appended as { results: AppendResult[] }).results[e++]! };
          }
          const outcome = outcomes[o++]!;
          return outcome.ok ? outcome : { ok: false, error: new WriteFailure(outcome.error, 0) };
        });
      },
      // The WriteFailure thrown above, as is: each caller words it for what it was doing.
      wrapError: (err) => err,
    });
  }

  /** Resolves once the event is committed; rejects with a WriteFailure. */
  async append(event: EventColumns): Promise<AppendResult> {
    const bytes = columnsWeight(event);
    this.waitingEvents += 1;
    this.waitingBytes += bytes;
    try {
      return (await this.settle({ event })) as AppendResult;
    } finally {
      this.waitingEvents -= 1;
      this.waitingBytes -= bytes;
    }
  }

  /** Resolves with the write's result once committed; rejects with a WriteFailure. */
  write(op: NamedWrite): Promise<WriteResult> {
    return this.settle({ op }) as Promise<WriteResult>;
  }

  /** Appended events not committed yet (backpressure). */
  get pendingEvents(): number {
    return this.waitingEvents;
  }

  /** About how many bytes they hold. */
  get pendingBytes(): number {
    return this.waitingBytes;
  }

  /** Commits, items (events and other writes), failed commits, largest batch. */
  stats(): GroupCommitStats {
    return this.queue.stats();
  }

  /** Commits everything queued so far. Never rejects. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  private async settle(item: Item): Promise<AppendResult | WriteResult> {
    const outcome = await this.queue.push(item);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}

function toWriterError(err: unknown): WriterError {
  const code = (err as { code?: unknown }).code;
  return { message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
}

/** About how many bytes a write holds: its text parameters (a record's value) and a fixed share. */
function writeWeight(write: NamedWrite): number {
  let bytes = 256;
  for (const param of write.params) if (typeof param === 'string') bytes += param.length;
  return bytes;
}
