/**
 * Retention for the SQLite store.
 *
 * An event goes only when it was received before `before`, every listed
 * plugin that has a cursor has passed it, and no delivery of it is still
 * retrying; its dead deliveries go with it. A listed plugin with no cursor
 * row yet does not hold anything back: the dispatcher starts a new plugin at
 * the end of the log, so it never wants events from before it was enabled.
 * (The foreign key from deliveries to events backs this up: an event that
 * still has a delivery row cannot be deleted.)
 *
 * The work is done in chunks of CHUNK events, each one write of the writer
 * thread (pruneChunk, below, run as a procedure: ./procedures.ts), so pruning a large backlog never holds the
 * write lock for long and appends keep being committed in between.
 */
import type { WriteResult } from '../core/statements';
import type { PruneResult } from '../store';
import type { Statements } from './statements';
import type { NamedWrite } from './writer-protocol';

const CHUNK = 1000;

/** What one chunk did. */
export interface PruneChunkResult {
  /** Old events looked at in this chunk; fewer than the limit means the walk is done. */
  candidates: number;
  /** Where the next chunk starts. */
  at: number;
  seq: number;
  events: number;
  deliveries: number;
}

interface PruneChunk {
  before: number;
  /** JSON list of plugin names */
  plugins: string;
  at: number;
  seq: number;
  limit: number;
}

interface Candidate {
  seq: number;
  received_at: number;
}

/** The main thread's side: walks the old events chunk by chunk through the writer. */
export async function pruneSqlite(
  write: (op: NamedWrite) => Promise<WriteResult>,
  before: number,
  plugins: string[],
): Promise<PruneResult> {
  const result: PruneResult = { events: 0, deliveries: 0, quarantine: 0 };
  const pluginsJson = JSON.stringify(plugins);
  let position = { at: Number.MIN_SAFE_INTEGER, seq: 0 };
  for (;;) {
    const { rows } = await write({ name: 'pruneChunk', params: [before, pluginsJson, position.at, position.seq, CHUNK] });
    const chunk = rows[0] as unknown as PruneChunkResult;
    result.events += chunk.events;
    result.deliveries += chunk.deliveries;
    position = { at: chunk.at, seq: chunk.seq };
    if (chunk.candidates < CHUNK) break;
  }
  result.quarantine = (await write({ name: 'pruneQuarantine', params: [before] })).changes;
  return result;
}

/** The writer thread's side: one chunk, inside the writer's transaction. */
export function pruneChunk(s: Statements, op: PruneChunk): PruneChunkResult {
  const candidates = s.pruneCandidates.all({ before: op.before, at: op.at, seq: op.seq, limit: op.limit }) as Candidate[];
  const done: PruneChunkResult = { candidates: candidates.length, at: op.at, seq: op.seq, events: 0, deliveries: 0 };
  if (candidates.length === 0) return done;
  const last = candidates[candidates.length - 1]!;
  done.at = last.received_at;
  done.seq = last.seq;
  // Read inside the transaction: a cursor that moved back (a replay) is honoured.
  const slowest = s.minCursor.get(op.plugins) as number | null;
  const seqs = candidates.filter((c) => slowest === null || c.seq <= slowest).map((c) => c.seq);
  if (seqs.length > 0) {
    const seqsJson = JSON.stringify(seqs);
    done.deliveries = s.pruneDeadDeliveries.run(seqsJson).changes;
    done.events = s.pruneEvents.run(seqsJson).changes;
  }
  return done;
}
