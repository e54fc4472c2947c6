/**
 * One plugin's records (the `store` capability) over the plugin_records
 * table, for both engines: the statements are named (./statements.ts), the
 * engine runs them. Only add() is the engine's own (SQLite: one procedure of
 * its writer; PostgreSQL: row locks in key order).
 *
 * Every query is scoped to the plugin's name, so plugins never see each
 * other's records. Bad arguments throw a PermanentError (./record-arguments.ts).
 */
import type { CounterChange, PluginRecord, PluginRecords } from '../store';
import { RecordArguments } from './record-arguments';
import { type RecordRow, toRecord } from './rows';
import type { StatementRunner } from './statements';

/** PluginRecords.add in an engine: all the counters or none; errors already worded for `action`. */
export type AddCounters = (action: string, plugin: string, changes: readonly CounterChange[]) => Promise<{ applied: boolean; values: number[] }>;

export class CorePluginRecords implements PluginRecords {
  private readonly args: RecordArguments;

  constructor(
    private readonly plugin: string,
    private readonly db: StatementRunner,
    private readonly addCounters: AddCounters,
    private readonly pageSize: number,
    /** PostgreSQL text cannot hold NUL; SQLite can. */
    refuseNul: boolean,
  ) {
    this.args = new RecordArguments(plugin, refuseNul);
  }

  async put(collection: string, key: string, at: number, value: unknown): Promise<boolean> {
    const text = this.args.serialize(collection, key, at, value);
    // Decided by the database in the write itself: "true when new" holds against other instances too.
    const { rows } = await this.db.write<{ inserted: boolean | number }>(this.action('write', collection, key), 'putRecord', [this.plugin, collection, key, at, text]);
    return Boolean(rows[0]!.inserted);
  }

  async add(changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }> {
    this.args.checkCounters(changes);
    return this.addCounters(`add to counters ${changes.map((c) => `"${c.key}" of "${c.collection}"`).join(', ')} of plugin ${this.plugin}`, this.plugin, changes);
  }

  async claim(collection: string, key: string, at: number, owner: string, ttlMs: number): Promise<boolean> {
    this.args.checkClaim(collection, key, at, owner, ttlMs);
    const ttl = ttlMs === Infinity ? null : Math.ceil(ttlMs);
    const { changes } = await this.db.write(this.action('claim', collection, key), 'claimRecord', [this.plugin, collection, key, at, owner, ttl, Date.now()]);
    return changes > 0;
  }

  async release(collection: string, key: string, owner: string): Promise<boolean> {
    this.args.checkName(collection, key);
    const { changes } = await this.db.write(this.action('release the claim', collection, key), 'releaseClaim', [this.plugin, collection, key, owner]);
    return changes > 0;
  }

  async renew(collection: string, key: string, owner: string, ttlMs: number): Promise<boolean> {
    this.args.checkClaim(collection, key, 0, owner, ttlMs);
    if (ttlMs === Infinity) this.args.refuse(collection, key, 'renew() needs a finite ttlMs: a claim is renewed for a while, not for good');
    const { changes } = await this.db.write(this.action('renew the claim', collection, key), 'renewClaim', [this.plugin, collection, key, owner, Math.ceil(ttlMs), Date.now()]);
    return changes > 0;
  }

  async get<V = unknown>(collection: string, key: string): Promise<PluginRecord<V> | null> {
    this.args.checkName(collection, key);
    const rows = await this.db.read<RecordRow>(this.action('read', collection, key), 'getRecord', [this.plugin, collection, key]);
    return rows.length > 0 ? toRecord<V>(rows[0]!) : null;
  }

  async delete(collection: string, key: string): Promise<boolean> {
    this.args.checkName(collection, key);
    const { changes } = await this.db.write(this.action('delete', collection, key), 'deleteRecord', [this.plugin, collection, key]);
    return changes > 0;
  }

  async deleteBefore(collection: string, before: number): Promise<number> {
    this.args.checkBefore(collection, before);
    let deleted = 0;
    for (;;) {
      // One write per chunk: appends committed between chunks never wait for the whole delete.
      const action = `delete records of "${collection}" before ${before} of plugin ${this.plugin}`;
      const { changes } = await this.db.write(action, 'deleteRecordsBefore', [this.plugin, collection, before, this.pageSize]);
      deleted += changes;
      if (changes < this.pageSize) return deleted;
    }
  }

  async *scan<V = unknown>(collection: string, from: number, to: number): AsyncIterable<PluginRecord<V>> {
    this.args.checkName(collection, '');
    const action = `scan records of "${collection}" of plugin ${this.plugin}`;
    let page = await this.db.read<RecordRow>(action, 'scanFirstPage', [this.plugin, collection, from, to, this.pageSize]);
    for (;;) {
      for (const row of page) yield toRecord<V>(row);
      if (page.length < this.pageSize) return;
      const last = page[page.length - 1]!;
      page = await this.db.read<RecordRow>(action, 'scanNextPage', [this.plugin, collection, Number(last.at), last.key, to, this.pageSize]);
    }
  }

  private action(verb: string, collection: string, key: string): string {
    return `${verb} record "${key}" of "${collection}" of plugin ${this.plugin}`;
  }
}
