/**
 * Retention for the PostgreSQL store; the same rules as ../sqlite/prune.ts.
 *
 * An event goes only when it was received before `before`, every listed
 * plugin that has a cursor has passed it, and no delivery of it is still
 * retrying; its dead deliveries go with it. Work is done in chunks of CHUNK
 * events, each its own short transaction, so a large backlog never holds
 * locks for long and ingest keeps flowing.
 *
 * Within a chunk the listed plugins' cursor rows are read FOR SHARE: a
 * cursor moved back meanwhile (`livehook replay` on another instance) either
 * lands before the read and is honoured, or waits until the chunk is done.
 */
import type { PruneResult } from '../store';
import type { PgSession } from './pg-session';
import { SQL } from './statements';

const CHUNK = 1000;

interface Candidate {
  seq: string;
  received_at: string;
}

/** Runs `work` on a connection of its own (see ./pg-session.ts). */
export type OnSession = <T>(work: (session: PgSession) => Promise<T>) => Promise<T>;

/**
 * `timeoutMs` bounds each statement on the server (SET LOCAL, this
 * transaction only); the session bounds the wait for each answer.
 */
export async function prunePg(onSession: OnSession, timeoutMs: number, before: number, plugins: string[]): Promise<PruneResult> {
  const result: PruneResult = { events: 0, deliveries: 0, quarantine: 0 };
  let position: { at: string | number; seq: string | number } = { at: Number.MIN_SAFE_INTEGER, seq: 0 };
  // A number this store computed: safe to inline. No ROLLBACK on failure: the session
  // closes the connection, which ends the transaction.
  const begin = `BEGIN; SET LOCAL statement_timeout = ${Math.ceil(timeoutMs)}`;

  for (;;) {
    const more = await onSession(async (client) => {
      await client.query(begin);
      const candidates = (await client.query<Candidate>(SQL.pruneCandidates, [before, position.at, position.seq, CHUNK])).rows;
      if (candidates.length > 0) {
        const last = candidates[candidates.length - 1]!;
        position = { at: last.received_at, seq: last.seq };
        const cursors = (await client.query<{ seq: string }>(SQL.listedCursors, [plugins])).rows;
        const slowest = cursors.length === 0 ? null : Math.min(...cursors.map((c) => Number(c.seq)));
        const seqs = candidates.filter((c) => slowest === null || Number(c.seq) <= slowest).map((c) => c.seq);
        if (seqs.length > 0) {
          result.deliveries += (await client.query(SQL.pruneDeadDeliveries, [seqs])).rowCount ?? 0;
          result.events += (await client.query(SQL.pruneEvents, [seqs])).rowCount ?? 0;
        }
      }
      await client.query('COMMIT');
      return candidates.length === CHUNK;
    });
    if (!more) break;
  }
  result.quarantine = await onSession(async (client) => {
    await client.query(begin);
    const deleted = (await client.query(SQL.pruneQuarantine, [before])).rowCount ?? 0;
    await client.query('COMMIT');
    return deleted;
  });
  return result;
}
