/**
 * One plugin's records (the `store` capability) over the plugin_records table.
 *
 * Every query is scoped to the plugin's name, so plugins never see each
 * other's records. Writes go to the store's writer thread (puts of one loop
 * turn share a commit); reads run on the calling thread. Bad arguments throw
 * a PermanentError: they are a bug in the plugin that a retry cannot fix, so
 * the delivery goes dead at once with a message naming the plugin,
 * collection and key.
 */
import { RecordArguments } from '../record-arguments';
import type { CounterChange, PluginRecord, PluginRecords } from '../store';
import type { Statements } from './statements';
import type { CountersResult, OpValue, WriteOp } from './writer-protocol';

/** Queues a write for the store's writer; resolves with its value (rows changed; a put: 1 when new), or rejects with a STORE_FAILED that names `action`. */
export type WriteRecord = (action: string, op: WriteOp) => Promise<OpValue>;

interface RecordRow {
  key: string;
  at: number;
  value: string;
}

export class SqlitePluginRecords implements PluginRecords {
  private readonly args: RecordArguments;

  constructor(
    private readonly plugin: string,
    private readonly write: WriteRecord,
    /** Looked up on each call, so a closed store gives its own clear error. */
    private readonly statements: () => Statements,
    private readonly pageSize: number,
  ) {
    this.args = new RecordArguments(plugin, false);
  }

  async put(collection: string, key: string, at: number, value: unknown): Promise<boolean> {
    const text = this.args.serialize(collection, key, at, value);
    // The writer checks for the key and writes it in one transaction, under
    // the write lock: "true when new" holds against other processes too.
    const op: WriteOp = { kind: 'putRecord', plugin: this.plugin, collection, key, at, value: text };
    return (await this.write(`put record "${key}" of "${collection}" for plugin ${this.plugin}`, op)) === 1;
  }

  async add(changes: readonly CounterChange[]): Promise<CountersResult> {
    this.args.checkCounters(changes);
    const op: WriteOp = { kind: 'addCounters', plugin: this.plugin, changes: changes.map((c) => ({ collection: c.collection, key: c.key, at: c.at, by: c.by, max: c.max ?? null })) };
    return (await this.write(`add to counters ${changes.map((c) => `"${c.key}" of "${c.collection}"`).join(', ')} for plugin ${this.plugin}`, op)) as CountersResult;
  }

  async get<V = unknown>(collection: string, key: string): Promise<PluginRecord<V> | null> {
    this.args.checkName(collection, key);
    const row = this.statements().getRecord.get(this.plugin, collection, key) as RecordRow | undefined;
    return row ? toRecord<V>(row) : null;
  }

  async delete(collection: string, key: string): Promise<boolean> {
    this.args.checkName(collection, key);
    const op: WriteOp = { kind: 'deleteRecord', plugin: this.plugin, collection, key };
    return ((await this.write(`delete record "${key}" of "${collection}" for plugin ${this.plugin}`, op)) as number) > 0;
  }

  async deleteBefore(collection: string, before: number): Promise<number> {
    this.args.checkBefore(collection, before);
    let deleted = 0;
    for (;;) {
      // One chunk per write: appends committed between chunks never wait for the whole delete.
      const op: WriteOp = { kind: 'deleteRecordsBefore', plugin: this.plugin, collection, before, limit: this.pageSize };
      const n = (await this.write(`delete records of "${collection}" before ${before} for plugin ${this.plugin}`, op)) as number;
      deleted += n;
      if (n < this.pageSize) return deleted;
    }
  }

  async *scan<V = unknown>(collection: string, from: number, to: number): AsyncIterable<PluginRecord<V>> {
    this.args.checkName(collection, '');
    const base = { plugin: this.plugin, collection, to, limit: this.pageSize };
    let page = this.statements().scanFirstPage.all({ ...base, from }) as RecordRow[];
    for (;;) {
      for (const row of page) yield toRecord<V>(row);
      if (page.length < this.pageSize) return;
      const last = page[page.length - 1]!;
      page = this.statements().scanNextPage.all({ ...base, at: last.at, key: last.key }) as RecordRow[];
    }
  }
}

function toRecord<V>(row: RecordRow): PluginRecord<V> {
  return { key: row.key, at: row.at, value: JSON.parse(row.value) as V };
}
