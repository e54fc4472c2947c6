/**
 * Ingest: from an authenticated raw body to a durably stored event.
 *
 * Validation failures of an authenticated body are kept in quarantine (raw
 * bytes + reason) before the 400 goes out, so a schema or config fix can
 * replay them. Tencent does not resend a callback answered 4xx, so when the
 * body cannot be kept the answer is a 500 instead: the resend is the copy. Backpressure is checked before anything is written: past the
 * limits the caller answers 503 and Tencent's retry brings the event later.
 */
import type { Logger } from 'pino';
import { buildEvent, isQuarantinable } from '../callbacks/build-event';
import { queryValue } from '../callbacks/query';
import type { CallbackEvent } from '../callbacks/event';
import { LivehookError, describeError } from '../errors';
import { shorten } from '../util/shorten';
import type { AppendResult, Store } from '../store/store';
import type { DecisionRecord } from '../decide/decision';
import type { DecisionMaker } from '../decide/decision-maker';

export interface IngestLimits {
  maxPendingEvents: number;
  maxPendingBytes: number;
  maxPendingWrites: number;
  maxPendingWriteBytes: number;
  /** From arrival: a callback not stored by then is answered 503 (a before-callback gets its decision budget, if longer). */
  answerTimeoutMs: number;
}

/** What ingest needs from the plugins: how far behind they are, and the news. */
export interface IngestSink {
  /** Stored events some enabled plugin has not finished yet... */
  backlog(): number;
  /** ...and about how many bytes they take. */
  backlogBytes(): number;
  /** A new event was stored (`bytes`: its raw body's length). */
  onStored(seq: number, bytes: number): void;
}

export interface IngestResult extends AppendResult {
  event: CallbackEvent;
  /** A before-callback's answer: decided now, or the one stored with the same callback before. */
  decision?: DecisionRecord;
}

export class Ingest {
  constructor(
    private readonly store: Store,
    private readonly sink: IngestSink,
    private readonly limits: IngestLimits,
    private readonly logger: Logger,
    /** A callback was accepted, new or already stored (metrics). Not called for replays. */
    private readonly onAccepted?: (event: CallbackEvent, duplicate: boolean) => void,
    /** Before-callbacks: the plugins that decide them. */
    private readonly decisions?: DecisionMaker,
  ) {}

  async accept(raw: string, query: Record<string, string>, receivedAt: number): Promise<IngestResult> {
    let event: CallbackEvent;
    try {
      event = buildEvent({ raw, query, receivedAt });
    } catch (err) {
      if (isQuarantinable(err)) await this.quarantine(raw, query, receivedAt, err);
      throw err;
    }
    if (!event.known) this.logger.info({ command: shorten(event.command), roomId: event.roomId && shorten(event.roomId) }, 'callback with an unknown command accepted (no schema): handed to plugins that take every command');
    // A before-callback is answered with a decision: a resend as the first copy was (with the
    // decision stored with it, or plain OK if it came before any plugin decided its command;
    // deciders are not asked again, and counters are not counted twice); a new one is decided first.
    const decides = this.decisions?.decides(event.command) ?? false;
    if (decides) {
      const earlier = await this.store.findDecision(event.id);
      if (earlier) {
        this.onAccepted?.(event, true);
        return earlier.decision ? { seq: 0, duplicate: true, event, decision: earlier.decision } : { seq: 0, duplicate: true, event };
      }
    }
    this.checkBackpressure();
    if (decides) event.decision = await this.decisions!.decide(event, receivedAt);
    // Built from raw just now: the store keeps raw only and builds the body again when it is read.
    const append = this.store.append(event, { bodyFromRaw: true }).then((stored) => {
      // Also when it comes after the 503 below: plugins must hear of every stored event.
      if (!stored.duplicate) this.sink.onStored(stored.seq, raw.length);
      return stored;
    });
    const answerWithinMs = decides ? Math.max(this.limits.answerTimeoutMs, this.decisions!.budgetMs) : this.limits.answerTimeoutMs;
    const result = await storedInTime(append, receivedAt + answerWithinMs, answerWithinMs);
    this.onAccepted?.(event, result.duplicate);
    if (!event.decision) return { ...result, event };
    // Two copies decided at once: the one stored first is the answer for both.
    if (!result.duplicate) return { ...result, event, decision: event.decision };
    const stored = (await this.store.findDecision(event.id))?.decision;
    // Stored undecided first (a race with a reload that added the decider): answered as that copy was, plain OK.
    return stored === null ? { ...result, event } : { ...result, event, decision: stored ?? event.decision };
  }

  /** Stores an event built elsewhere (replay of quarantine) exactly like a fresh one. */
  async acceptBuilt(event: CallbackEvent): Promise<AppendResult> {
    const result = await this.store.append(event);
    if (!result.duplicate) this.sink.onStored(result.seq, event.raw.length);
    return result;
  }

  private checkBackpressure(): void {
    const { limits } = this;
    const writes = this.store.pendingWrites();
    if (writes >= limits.maxPendingWrites) {
      throw new LivehookError('OVERLOADED', `overloaded: ${writes} events are waiting for the disk (limit ${limits.maxPendingWrites}); retry later`);
    }
    const writeBytes = this.store.pendingWriteBytes();
    if (writeBytes >= limits.maxPendingWriteBytes) {
      throw new LivehookError('OVERLOADED', `overloaded: ${mib(writeBytes)} of events are waiting for the disk (limit ${mib(limits.maxPendingWriteBytes)}); retry later`);
    }
    const backlog = this.sink.backlog();
    if (backlog >= limits.maxPendingEvents) {
      throw new LivehookError('OVERLOADED', `overloaded: plugins are ${backlog} events behind (limit ${limits.maxPendingEvents}); retry later`);
    }
    const backlogBytes = this.sink.backlogBytes();
    if (backlogBytes >= limits.maxPendingBytes) {
      throw new LivehookError('OVERLOADED', `overloaded: plugins are ${mib(backlogBytes)} of events behind (limit ${mib(limits.maxPendingBytes)}); retry later`);
    }
  }

  /** Keeps the body, or throws STORE_FAILED (500) naming the validation failure too. */
  private async quarantine(raw: string, query: Record<string, string>, receivedAt: number, err: LivehookError): Promise<void> {
    try {
      const id = await this.store.quarantine({
        receivedAt,
        raw,
        query,
        reason: err.message,
        sdkAppId: queryValue(query, 'SdkAppid') ?? null,
        command: commandOf(raw),
      });
      this.logger.warn({ quarantineId: id, reason: err.message }, 'invalid callback body kept in quarantine');
    } catch (storeErr) {
      this.logger.error({ err: storeErr, reason: err.message }, 'could not keep an invalid body in quarantine: answering 500 so that Tencent sends it again');
      throw new LivehookError('STORE_FAILED', `the body is invalid (${err.message}) but could not be kept for replay: ${describeError(storeErr).replace(/; retry later$/, '')}; retry later`, { field: err.details.field }, { cause: storeErr });
    }
  }
}

/**
 * The append's result, or STORE_TOO_SLOW once `deadline` passes: Tencent
 * gives up on an answer after 2 s and sends the callback again, so a late OK
 * is worth nothing, and callbacks queued behind a commit that hangs (a
 * network partition) waited for its time-out and then their own, 2 to 4 s.
 * The append goes on: if it commits, the resend is a duplicate.
 */
async function storedInTime(append: Promise<AppendResult>, deadline: number, withinMs: number): Promise<AppendResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new LivehookError('STORE_TOO_SLOW', `the store did not confirm the write within ${withinMs} ms of the callback's arrival (ingest.answerTimeoutMs), so it is answered before Tencent stops listening; a copy stored meanwhile is recognised when Tencent sends it again; retry later`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([append, late]);
  } finally {
    clearTimeout(timer);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Best effort: the command of a body that failed validation, for the quarantine list. */
function commandOf(raw: string): string | null {
  const match = /"CallbackCommand"\s*:\s*"([^"\\]{1,100})"/.exec(raw);
  return match ? match[1] : null;
}
