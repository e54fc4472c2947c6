/**
 * PluginRecords.add in PostgreSQL: all the counters or none, atomically
 * between instances. Each counter row is locked (created at 0 when new) in
 * (collection, key) order, so two instances adding to the same counters
 * cannot deadlock; the cap is checked under those locks, so it is exact.
 */
import type { CounterChange } from '../store';
import type { PgSession } from './pg-session';
import { SQL } from './statements';

export async function addCounters(session: PgSession, plugin: string, changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }> {
  const order = changes.map((c, i) => i).sort((a, b) => cmp(changes[a]!, changes[b]!));
  await session.query('BEGIN');
  const current = new Array<number>(changes.length);
  for (const i of order) {
    const c = changes[i]!;
    // Creates the counter at 0 when new, and either way holds its row lock until COMMIT.
    const { rows } = await session.query<{ value: string }>(SQL.lockCounter, [plugin, c.collection, c.key, c.at]);
    const value = JSON.parse(rows[0]!.value) as unknown;
    current[i] = typeof value === 'number' ? value : 0;
  }
  const after = current.map((v, i) => v + changes[i]!.by);
  if (after.some((v, i) => changes[i]!.max !== undefined && v > changes[i]!.max!)) {
    await session.query('ROLLBACK');
    return { applied: false, values: current };
  }
  for (const i of order) {
    const c = changes[i]!;
    await session.query(SQL.putRecord, [plugin, c.collection, c.key, c.at, JSON.stringify(after[i])]);
  }
  await session.query('COMMIT');
  return { applied: true, values: after };
}

function cmp(a: CounterChange, b: CounterChange): number {
  return a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
