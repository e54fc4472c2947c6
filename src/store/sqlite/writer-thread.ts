/**
 * The SQLite store's writer thread: the one connection that writes.
 *
 * Why a thread: a durable commit blocks for the fsync, and better-sqlite3
 * blocks the thread that calls it. On the main thread every request of a
 * loop turn waited for that commit while no new request was parsed; here the
 * main thread goes on parsing the next requests while this one commits.
 *
 * Group commit, the second half: requests that arrive while a transaction
 * runs are all written by the next one, so they share its fsync. Inside it,
 * the events of a request are inserted in one savepoint and each other write
 * (a named statement or procedure: a cursor move, a record put...) in its own, so one that fails is refused
 * alone; if the transaction itself fails (a lock held too long, a full disk),
 * every request in it is refused and nothing of them is written.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { EventColumns } from '../event-columns';
import type { AppendResult } from '../store';
import type { WriteResult } from '../core/statements';
import { openConnection } from './connection';
import { PROCEDURES } from './procedures';
import { type Statements, bindParams, prepareStatements } from './statements';
import type { AppendOutcome, AttachRequest, NamedWrite, OpOutcome, WriterConfig, WriterError, WriterReply, WriterRequest } from './writer-protocol';

type WriteRequest = Extract<WriterRequest, { type: 'write' }>;
type Reply = (reply: WriterReply) => void;
interface Waiting {
  request: WriterRequest;
  reply: Reply;
}

function toWriterError(err: unknown): WriterError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { message: err.message || err.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { message: String(err) };
}

/** Runs one named write: a procedure of the writer (./procedures.ts), else the core's statement of that name. */
function runNamed(s: Statements, write: NamedWrite): WriteResult {
  const procedure = PROCEDURES[write.name];
  if (procedure) return procedure(s, write.params);
  const statement = (s.named as Record<string, Database.Statement | undefined>)[write.name];
  if (!statement) throw new Error(`the writer thread has no statement named "${write.name}"`);
  const bound = bindParams(write.params);
  if (statement.reader) {
    const rows = statement.all(bound) as object[];
    return { rows, changes: rows.length };
  }
  return { rows: [], changes: statement.run(bound).changes };
}

class Writer {
  private readonly waiting: Waiting[] = [];
  private scheduled = false;
  private readonly appendEvents: Database.Transaction<(events: EventColumns[]) => AppendResult[]>;
  private readonly applyOne: Database.Transaction<(write: NamedWrite) => WriteResult>;
  private readonly writeAll: Database.Transaction<(requests: WriteRequest[]) => WriterReply[]>;

  constructor(private readonly db: Database.Database) {
    const s = prepareStatements(db);
    // Called inside writeAll's transaction, these two run as savepoints.
    this.appendEvents = db.transaction((events: EventColumns[]): AppendResult[] => {
      const results = new Array<AppendResult>(events.length);
      for (let i = 0; i < events.length; i++) {
        const c = events[i]!;
        const info = s.insertEvent.run(
          c.id, c.command, c.known ? 1 : 0, c.sdk_app_id, c.room_id, c.event_type, c.event_time,
          c.operator_account, c.received_at, c.body, c.raw, c.query, c.decision,
        );
        results[i] =
          info.changes === 1
            ? { seq: Number(info.lastInsertRowid), duplicate: false }
            : { seq: s.eventSeqById.get(c.id) as number, duplicate: true };
      }
      return results;
    });
    this.applyOne = db.transaction((write: NamedWrite) => runNamed(s, write));
    this.writeAll = db.transaction((requests: WriteRequest[]) => requests.map((r) => this.apply(r)));
  }

  /** A request from the store's thread or from a plugin isolate's port; `reply` answers on the same channel. */
  receive(request: WriterRequest, reply: Reply): void {
    this.waiting.push({ request, reply });
    if (this.scheduled) return;
    this.scheduled = true;
    // Everything that arrived while the last transaction ran is queued by now.
    setImmediate(() => this.writeWaiting());
  }

  private writeWaiting(): void {
    this.scheduled = false;
    const waiting = this.waiting.splice(0);
    const writes = waiting.filter((w): w is Waiting & { request: WriteRequest } => w.request.type === 'write');
    if (writes.length > 0) {
      const replies = this.commit(writes.map((w) => w.request));
      replies.forEach((reply, i) => writes[i]!.reply(reply));
    }
    const close = waiting.find((w) => w.request.type === 'close');
    if (close) {
      this.db.close();
      close.reply({ type: 'closed', id: close.request.id });
      // Lines still open to isolates would keep this thread alive: the store is closed, so are they.
      for (const port of attached) port.close();
      parentPort!.close();
    }
  }

  private commit(requests: WriteRequest[]): WriterReply[] {
    try {
      return this.writeAll.immediate(requests);
    } catch (err) {
      const error = toWriterError(err);
      return requests.map((r) => ({ type: 'error', id: r.id, error }));
    }
  }

  private apply(request: WriteRequest): WriterReply {
    let appended: AppendOutcome = { ok: true, results: [] };
    if (request.events.length > 0) {
      try {
        appended = { ok: true, results: this.appendEvents(request.events) };
      } catch (err) {
        this.escalateIfRolledBack(err);
        appended = { ok: false, error: toWriterError(err) };
      }
    }
    const outcomes = request.ops.map((op): OpOutcome => {
      try {
        return { ok: true, value: this.applyOne(op) };
      } catch (err) {
        this.escalateIfRolledBack(err);
        return { ok: false, error: toWriterError(err) };
      }
    });
    return { type: 'written', id: request.id, appended, outcomes };
  }

  /**
   * Some errors (a full disk, an I/O error) make SQLite roll back the whole
   * transaction, not just the savepoint: then nothing of this batch is
   * written, and every request in it must be refused.
   */
  private escalateIfRolledBack(err: unknown): void {
    if (!this.db.inTransaction) throw err;
  }
}

/** Lines to plugin isolates that are open. */
const attached = new Set<MessagePort>();

/** A plugin isolate's own line to the writer: its writes join the same group commits. */
function attach(writer: Writer, port: MessagePort): void {
  attached.add(port);
  port.once('close', () => attached.delete(port));
  const answer = (reply: WriterReply) => port.postMessage(reply);
  port.on('message', (request: WriterRequest) => {
    // An isolate closing its store closes its line, never the database.
    if (request.type === 'close') {
      answer({ type: 'closed', id: request.id });
      port.close();
    } else {
      writer.receive(request, answer);
    }
  });
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('writer-thread.ts runs as a worker thread of the SQLite store (see sqlite-writer.ts)');
  const config = workerData as WriterConfig;
  let db: Database.Database;
  let writer: Writer;
  try {
    db = openConnection(config);
    writer = new Writer(db);
  } catch (err) {
    port.postMessage({ type: 'failed', error: toWriterError(err) } satisfies WriterReply);
    port.close();
    return;
  }
  const answer = (reply: WriterReply) => port.postMessage(reply);
  port.on('message', (request: WriterRequest | AttachRequest) => {
    if (request.type === 'attach') attach(writer, request.port);
    else writer.receive(request, answer);
  });
  port.postMessage({
    type: 'ready',
    settings: {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    },
  } satisfies WriterReply);
}

main();
