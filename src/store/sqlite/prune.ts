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
 * The work is done in chunks of CHUNK events, each its own short
 * transaction, yielding to the event loop in between, so pruning a large
 * backlog never holds the write lock or the event loop for long and ingest
 * keeps flowing.
 */
import type Database from 'better-sqlite3';
import type { PruneResult } from '../store';
import type { Statements } from './statements';

const CHUNK = 1000;

interface Candidate {
  seq: number;
  received_at: number;
}

export async function pruneSqlite(
  db: Database.Database,
  statements: () => Statements,
  before: number,
  plugins: string[],
): Promise<PruneResult> {
  const pluginsJson = JSON.stringify(plugins);
  const result: PruneResult = { events: 0, deliveries: 0, quarantine: 0 };
  let position = { at: Number.MIN_SAFE_INTEGER, seq: 0 };

  const chunk = db.transaction(() => {
    const s = statements();
    const candidates = s.pruneCandidates.all({ before, at: position.at, seq: position.seq, limit: CHUNK }) as Candidate[];
    if (candidates.length === 0) return false;
    const last = candidates[candidates.length - 1]!;
    position = { at: last.received_at, seq: last.seq };
    // Read inside the transaction: a cursor that moved back (a replay) is honoured.
    const slowest = s.minCursor.get(pluginsJson) as number | null;
    const seqs = candidates.filter((c) => slowest === null || c.seq <= slowest).map((c) => c.seq);
    if (seqs.length > 0) {
      const seqsJson = JSON.stringify(seqs);
      result.deliveries += s.pruneDeadDeliveries.run(seqsJson).changes;
      result.events += s.pruneEvents.run(seqsJson).changes;
    }
    return candidates.length === CHUNK;
  });

  while (chunk.immediate()) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  result.quarantine = statements().pruneQuarantine.run(before).changes;
  return result;
}
