/**
 * What the store's main thread and its writer thread say to each other.
 *
 * Every write of the SQLite store is a NamedWrite below (or a batch of
 * appended events): plain data, so it crosses to the writer thread as a
 * structured clone. Results and errors come back as plain data too; the main
 * thread turns an error into a STORE_FAILED that says what was being done.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WriteResult } from '../core/statements';
import type { ConnectionConfig } from './connection';
import type { EventColumns } from '../event-columns';
import type { AppendResult } from '../store';

/** How the writer thread opens its connection (as every connection of the store: ./connection.ts). */
export type WriterConfig = ConnectionConfig;

/** What the writer's connection actually runs with, read back from SQLite. */
export interface WriterSettings {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

/**
 * One write: a statement or procedure of the writer, by name (the core's
 * names, ../core/statements.ts, and the writer's procedures, ./procedures.ts),
 * and its parameters in order. Plain data: it crosses threads as it is.
 */
export interface NamedWrite {
  name: string;
  params: readonly unknown[];
}

/** A driver error as plain data (an Error's own fields do not all survive postMessage). */
export interface WriterError {
  message: string;
  /** SQLite's code, e.g. SQLITE_BUSY, SQLITE_FULL. */
  code?: string;
}

export type OpOutcome = { ok: true; value: WriteResult } | { ok: false; error: WriterError };

/** The events of a batch are written together: all of them, or none. */
export type AppendOutcome = { ok: true; results: AppendResult[] } | { ok: false; error: WriterError };

/** Main thread -> writer thread. */
export type WriterRequest =
  /** Appended events (in order) and other writes, for the writer's next transaction. */
  | { type: 'write'; id: number; events: EventColumns[]; ops: NamedWrite[] }
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
