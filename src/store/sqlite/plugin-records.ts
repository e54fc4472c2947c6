/**
 * One plugin's records (the `store` capability) over the plugin_records table.
 *
 * Every query is scoped to the plugin's name, so plugins never see each
 * other's records. Bad arguments throw a PermanentError: they are a bug in
 * the plugin that a retry cannot fix, so the delivery goes dead at once with
 * a message naming the plugin, collection and key.
 */
import type Database from 'better-sqlite3';
import { PermanentError, describeError } from '../../errors';
import type { PluginRecord, PluginRecords } from '../store';
import type { Statements } from './statements';

interface RecordRow {
  key: string;
  at: number;
  value: string;
}

export class SqlitePluginRecords implements PluginRecords {
  private readonly putTx: Database.Transaction<(collection: string, key: string, at: number, value: string) => boolean>;

  constructor(
    private readonly plugin: string,
    db: Database.Database,
    /** Looked up on each call, so a closed store gives its own clear error. */
    private readonly statements: () => Statements,
    private readonly pageSize: number,
  ) {
    this.putTx = db.transaction((collection: string, key: string, at: number, value: string): boolean => {
      const s = this.statements();
      const existed = s.recordExists.get(plugin, collection, key) !== undefined;
      s.putRecord.run(plugin, collection, key, at, value);
      return !existed;
    });
  }

  async put(collection: string, key: string, at: number, value: unknown): Promise<boolean> {
    this.checkName(collection, key);
    if (!Number.isSafeInteger(at)) {
      this.refuse(collection, key, `at must be an integer number of ms since the epoch (got ${String(at)})`);
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      this.refuse(collection, key, `the value is not plain JSON (${describeError(err)})`);
    }
    if (text === undefined) this.refuse(collection, key, 'the value is not plain JSON (undefined or a function)');
    // IMMEDIATE: the existence check and the write happen under the write lock,
    // so "true when new" also holds against another process on the same file.
    return this.putTx.immediate(collection, key, at, text);
  }

  async get<V = unknown>(collection: string, key: string): Promise<PluginRecord<V> | null> {
    this.checkName(collection, key);
    const row = this.statements().getRecord.get(this.plugin, collection, key) as RecordRow | undefined;
    return row ? toRecord<V>(row) : null;
  }

  async delete(collection: string, key: string): Promise<boolean> {
    this.checkName(collection, key);
    return this.statements().deleteRecord.run(this.plugin, collection, key).changes > 0;
  }

  async *scan<V = unknown>(collection: string, from: number, to: number): AsyncIterable<PluginRecord<V>> {
    this.checkName(collection, '');
    const base = { plugin: this.plugin, collection, to, limit: this.pageSize };
    let page = this.statements().scanFirstPage.all({ ...base, from }) as RecordRow[];
    for (;;) {
      for (const row of page) yield toRecord<V>(row);
      if (page.length < this.pageSize) return;
      const last = page[page.length - 1]!;
      page = this.statements().scanNextPage.all({ ...base, at: last.at, key: last.key }) as RecordRow[];
    }
  }

  private checkName(collection: string, key: string): void {
    if (typeof collection !== 'string' || collection.length === 0) {
      this.refuse(String(collection), key, 'the collection name must be a non-empty string');
    }
    if (typeof key !== 'string') this.refuse(collection, String(key), 'the key must be a string');
  }

  private refuse(collection: string, key: string, problem: string): never {
    throw new PermanentError(`plugin ${this.plugin}: records of "${collection}"${key ? ` key "${key}"` : ''}: ${problem}`, {
      plugin: this.plugin,
      collection,
      key,
    });
  }
}

function toRecord<V>(row: RecordRow): PluginRecord<V> {
  return { key: row.key, at: row.at, value: JSON.parse(row.value) as V };
}
