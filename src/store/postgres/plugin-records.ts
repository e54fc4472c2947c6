/**
 * One plugin's records (the `store` capability) over the plugin_records
 * table in PostgreSQL; the twin of ../sqlite/plugin-records.ts.
 *
 * Every query is scoped to the plugin's name, so plugins never see each
 * other's records. Bad arguments throw a PermanentError: they are a bug in
 * the plugin that a retry cannot fix, so the delivery goes dead at once with
 * a message naming the plugin, collection and key.
 */
import { RecordArguments } from '../record-arguments';
import type { CounterChange, PluginRecord, PluginRecords } from '../store';
import type { PgSession } from './pg-session';
import { SQL } from './statements';

interface RecordRow {
  key: string;
  at: string | number;
  value: string;
}

/** What the records need from the store: run one statement, errors already turned into STORE_FAILED. */
export type RunQuery = <R extends object>(action: string, text: string, values: unknown[]) => Promise<{ rows: R[]; rowCount: number }>;
/** Runs several statements on one connection, in the transaction `work` opens; errors already STORE_FAILED. */
export type RunSession = <T>(action: string, work: (session: PgSession) => Promise<T>) => Promise<T>;

export class PgPluginRecords implements PluginRecords {
  private readonly args: RecordArguments;

  constructor(
    private readonly plugin: string,
    private readonly run: RunQuery,
    private readonly pageSize: number,
    private readonly session: RunSession,
  ) {
    this.args = new RecordArguments(plugin, true);
  }

  async put(collection: string, key: string, at: number, value: unknown): Promise<boolean> {
    const text = this.args.serialize(collection, key, at, value);
    const { rows } = await this.run<{ inserted: boolean }>(this.action('write', collection, key), SQL.putRecord, [this.plugin, collection, key, at, text]);
    return rows[0]!.inserted;
  }

  async add(changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }> {
    this.args.checkCounters(changes);
    // Rows are locked in (collection, key) order, so two instances adding to the same counters cannot deadlock.
    const order = changes.map((c, i) => i).sort((a, b) => cmp(changes[a]!, changes[b]!));
    const action = `add to counters ${changes.map((c) => `"${c.key}" of "${c.collection}"`).join(', ')} of plugin ${this.plugin}`;
    return this.session(action, async (session) => {
      await session.query('BEGIN');
      const current = new Array<number>(changes.length);
      for (const i of order) {
        const c = changes[i]!;
        // Creates the counter at 0 when new, and either way holds its row lock until COMMIT.
        const { rows } = await session.query<{ value: string }>(SQL.lockCounter, [this.plugin, c.collection, c.key, c.at]);
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
        await session.query(SQL.putRecord, [this.plugin, c.collection, c.key, c.at, JSON.stringify(after[i])]);
      }
      await session.query('COMMIT');
      return { applied: true, values: after };
    });
  }

  async get<V = unknown>(collection: string, key: string): Promise<PluginRecord<V> | null> {
    this.args.checkName(collection, key);
    const { rows } = await this.run<RecordRow>(this.action('read', collection, key), SQL.getRecord, [this.plugin, collection, key]);
    return rows.length > 0 ? toRecord<V>(rows[0]!) : null;
  }

  async delete(collection: string, key: string): Promise<boolean> {
    this.args.checkName(collection, key);
    const { rowCount } = await this.run(this.action('delete', collection, key), SQL.deleteRecord, [this.plugin, collection, key]);
    return rowCount > 0;
  }

  async deleteBefore(collection: string, before: number): Promise<number> {
    this.args.checkBefore(collection, before);
    let deleted = 0;
    for (;;) {
      // One statement per chunk: each commits on its own and holds its row locks briefly.
      const { rowCount } = await this.run(`delete records of "${collection}" before ${before} of plugin ${this.plugin}`, SQL.deleteRecordsBefore, [this.plugin, collection, before, this.pageSize]);
      deleted += rowCount;
      if (rowCount < this.pageSize) return deleted;
    }
  }

  async *scan<V = unknown>(collection: string, from: number, to: number): AsyncIterable<PluginRecord<V>> {
    this.args.checkName(collection, '');
    const action = `scan records of "${collection}" of plugin ${this.plugin}`;
    let page = (await this.run<RecordRow>(action, SQL.scanFirstPage, [this.plugin, collection, from, to, this.pageSize])).rows;
    for (;;) {
      for (const row of page) yield toRecord<V>(row);
      if (page.length < this.pageSize) return;
      const last = page[page.length - 1]!;
      page = (await this.run<RecordRow>(action, SQL.scanNextPage, [this.plugin, collection, last.at, last.key, to, this.pageSize])).rows;
    }
  }

  private action(verb: string, collection: string, key: string): string {
    return `${verb} record "${key}" of "${collection}" of plugin ${this.plugin}`;
  }
}

function cmp(a: CounterChange, b: CounterChange): number {
  return a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function toRecord<V>(row: RecordRow): PluginRecord<V> {
  return { key: row.key, at: Number(row.at), value: JSON.parse(row.value) as V };
}
