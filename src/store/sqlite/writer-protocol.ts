/**
 * What the store's main thread and its writer thread say to each other.
 *
 * Every write of the SQLite store is one of the WriteOps below (or a batch
 * of appended events): plain data, so it crosses to the writer thread as a
 * structured clone. Results and errors come back as plain data too; the main
 * thread turns an error into a STORE_FAILED that says what was being done.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EventColumns } from '../event-columns';
import type { AppendResult } from '../store';

/** How the writer thread opens its connection. */
export interface WriterConfig {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
}

/** What the writer's connection actually runs with, read back from SQLite. */
export interface WriterSettings {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

export type WriteOp =
  | { kind: 'setCursor'; plugin: string; seq: number; now: number }
  | {
      kind: 'recordFailure';
      plugin: string;
      eventSeq: number;
      status: 'retrying' | 'dead';
      attempts: number;
      nextAttemptAt: number | null;
      error: string;
      now: number;
    }
  | { kind: 'markDelivered'; plugin: string; eventSeq: number }
  | { kind: 'requeueDead'; plugin: string | null; now: number }
  | {
      kind: 'quarantine';
      receivedAt: number;
      sdkAppId: string | null;
      command: string | null;
      raw: string;
      /** JSON text */
      query: string;
      reason: string;
    }
  | { kind: 'setQuarantineStatus'; id: number; status: string; note: string | null }
  | { kind: 'acquireLease'; name: string; owner: string; expiresAt: number; now: number }
  | { kind: 'releaseLease'; name: string; owner: string }
  /** Insert or replace; the result is 1 when the key was new, else 0. */
  | { kind: 'putRecord'; plugin: string; collection: string; key: string; at: number; value: string }
  | { kind: 'deleteRecord'; plugin: string; collection: string; key: string }
  /** Deletes up to `limit` records with at < before; the result is how many. */
  | { kind: 'deleteRecordsBefore'; plugin: string; collection: string; before: number; limit: number }
  /** PluginRecords.add: all the counters or none (read and written in the writer's one transaction). */
  | { kind: 'addCounters'; plugin: string; changes: Array<{ collection: string; key: string; at: number; by: number; max: number | null }> }
  | { kind: 'pruneChunk'; before: number; plugins: string; at: number; seq: number; limit: number }
  | { kind: 'pruneQuarantine'; before: number };

/** One chunk of retention (see ../sqlite/prune.ts). */
export interface PruneChunkResult {
  /** Old events looked at in this chunk; fewer than the limit means the walk is done. */
  candidates: number;
  /** Where the next chunk starts. */
  at: number;
  seq: number;
  events: number;
  deliveries: number;
}

/** Rows changed, a new row id, a put's "was new" (1/0), or a prune chunk. */
export type OpValue = number | PruneChunkResult | CountersResult;

/** What addCounters answers. */
export interface CountersResult {
  applied: boolean;
  values: number[];
}

/** A driver error as plain data (an Error's own fields do not all survive postMessage). */
export interface WriterError {
  message: string;
  /** SQLite's code, e.g. SQLITE_BUSY, SQLITE_FULL. */
  code?: string;
}

export type OpOutcome = { ok: true; value: OpValue } | { ok: false; error: WriterError };

/** The events of a batch are written together: all of them, or none. */
export type AppendOutcome = { ok: true; results: AppendResult[] } | { ok: false; error: WriterError };

/** Main thread -> writer thread. */
export type WriterRequest =
  /** Appended events (in order) and other writes, for the writer's next transaction. */
  | { type: 'write'; id: number; events: EventColumns[]; ops: WriteOp[] }
  | { type: 'close'; id: number };

/** Main thread -> writer thread: a plugin isolate's own port, over which it sends WriterRequests. */
export interface AttachRequest {
  type: 'attach';
  port: MessagePort;
}

/** Writer thread -> main thread. */
export type WriterReply =
  | { type: 'ready'; settings: WriterSettings }
  | { type: 'failed'; error: WriterError }
  | { type: 'written'; id: number; appended: AppendOutcome; outcomes: OpOutcome[] }
  | { type: 'closed'; id: number }
  /** The whole request failed (its transaction did not commit): nothing of it was written. */
  | { type: 'error'; id: number; error: WriterError };
