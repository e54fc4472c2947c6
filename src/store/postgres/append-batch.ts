/**
 * Writes one group-commit batch of events in one PostgreSQL transaction.
 *
 * Commit order is seq order. Readers (every plugin worker, on every
 * instance) fetch `seq > cursor`. With concurrent transactions a lower seq
 * could otherwise commit after a higher one is already visible, and a
 * reader that moved its cursor past the higher one would skip the lower
 * forever. So each batch first takes a transaction-scoped advisory lock
 * (one key per schema) and only then draws its seqs: the next batch, from
 * this instance or any other, draws its seqs after this one has committed
 * and become visible (PostgreSQL makes a commit visible before it releases
 * the transaction's locks). The cost is one lock per batch, and batches are
 * group commits, so instances take turns per batch, not per event.
 *
 * Each statement of the transaction, the wait for the lock included, may take
 * at most `timeoutMs` on the server: a batch never holds the lock (and the
 * callbacks waiting for it) for longer, and an instance whose commit waits
 * behind a stuck one gives up in time to answer 503. The batch's columns are
 * as PostgreSQL holds them (./pg-text.ts).
 */
import type { EventColumns } from '../event-columns';
import type { AppendResult } from '../store';
import type { PgSession } from './pg-session';
import { SQL } from './statements';

export async function commitEventBatch(client: PgSession, appendLockKey: string, batch: readonly EventColumns[], timeoutMs: number): Promise<AppendResult[]> {
  // The key and the time-out are numbers this store computed, not input: safe
  // to inline, and BEGIN + time-out + lock then cost one round trip. Nothing
  // here sends ROLLBACK: on any failure the session closes the connection,
  // which ends the transaction.
  await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.ceil(timeoutMs)}; SELECT pg_advisory_xact_lock(${BigInt(appendLockKey)})`);
  const inserted = await client.query<{ id: string; seq: string }>(SQL.insertEvents, columnArrays(batch));
  const seqOf = new Map<string, number>();
  for (const row of inserted.rows) seqOf.set(row.id, Number(row.seq));

  // Ids not inserted were stored before (a repeat within this batch has its seq in seqOf).
  const missing = new Set(batch.filter((c) => !seqOf.has(c.id)).map((c) => c.id));
  const earlier = new Map<string, number>();
  if (missing.size > 0) {
    const found = await client.query<{ id: string; seq: string }>(SQL.eventSeqsByIds, [[...missing]]);
    for (const row of found.rows) earlier.set(row.id, Number(row.seq));
  }

  const firstSeen = new Set<string>();
  const results = batch.map((c): AppendResult => {
    const seq = seqOf.get(c.id);
    if (seq !== undefined && !firstSeen.has(c.id)) {
      firstSeen.add(c.id);
      return { seq, duplicate: false };
    }
    const existing = seq ?? earlier.get(c.id);
    // Only a prune deleting the earlier copy between our INSERT and SELECT gets here: throwing
    // rolls the batch back (nothing stored, every caller told), and the sender's retry stores it anew.
    if (existing === undefined) throw new Error(`event ${c.id} conflicted with a stored event that was gone a moment later (pruned?)`);
    return { seq: existing, duplicate: true };
  });
  await client.query('COMMIT');
  return results;
}

/** The batch as twelve parallel arrays, in the column order of SQL.insertEvents. */
function columnArrays(batch: readonly EventColumns[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 13 }, () => new Array<unknown>(batch.length));
  batch.forEach((c, i) => {
    cols[0]![i] = c.id;
    cols[1]![i] = c.command;
    cols[2]![i] = c.known;
    cols[3]![i] = c.sdk_app_id;
    cols[4]![i] = c.room_id;
    cols[5]![i] = c.event_type;
    cols[6]![i] = c.event_time;
    cols[7]![i] = c.operator_account;
    cols[8]![i] = c.received_at;
    cols[9]![i] = c.body;
    cols[10]![i] = c.raw;
    cols[11]![i] = c.query;
    cols[12]![i] = c.decision;
  });
  return cols;
}

/**
 * What PostgreSQL would refuse in an event that SQLite takes: a time that is
 * not whole milliseconds (BIGINT). (Text holding NUL is stored as a JSON
 * literal instead, see ./pg-text.ts.) Checked before the event joins a
 * batch, so it is refused alone instead of failing the batch. Returns the
 * problem, or null.
 */
export function pgColumnProblem(c: EventColumns): { field: string; problem: string } | null {
  if (!Number.isSafeInteger(c.received_at)) return { field: 'receivedAt', problem: 'must be whole milliseconds' };
  if (c.event_time !== null && !Number.isSafeInteger(c.event_time)) return { field: 'eventTime', problem: 'must be whole milliseconds or null' };
  return null;
}
