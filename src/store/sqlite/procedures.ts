/**
 * The writes of the SQLite store that are more than one statement, run by
 * the writer thread under a name like any statement (./writer-thread.ts).
 * Each runs inside the writer's transaction, under the write lock, so what
 * it reads and then writes holds against other processes on the file too.
 */
import type { CounterChange } from '../store';
import type { WriteResult } from '../core/statements';
import { pruneChunk } from './prune';
import type { Statements } from './statements';

export type Procedure = (s: Statements, params: readonly unknown[]) => WriteResult;

export const PROCEDURES: Readonly<Record<string, Procedure>> = {
  /** The core's putRecord: [plugin, collection, key, at, value]; row { inserted }. */
  putRecord(s, params) {
    const [plugin, collection, key, at, value] = params as [string, string, string, number, string];
    const existed = s.recordExists.get(plugin, collection, key) !== undefined;
    s.upsertRecord.run(plugin, collection, key, at, value);
    return { rows: [{ inserted: !existed }], changes: 1 };
  },

  /** PluginRecords.add: [plugin, changes]; row { applied, values }. All the counters or none. */
  addCounters(s, params) {
    const [plugin, changes] = params as [string, readonly CounterChange[]];
    const current = changes.map((c) => {
      const text = s.recordValue.get(plugin, c.collection, c.key) as string | undefined;
      const value = text === undefined ? 0 : (JSON.parse(text) as unknown);
      return typeof value === 'number' ? value : 0;
    });
    const after = current.map((v, i) => v + changes[i]!.by);
    if (after.some((v, i) => changes[i]!.max !== undefined && v > changes[i]!.max!)) {
      return { rows: [{ applied: false, values: current }], changes: 0 };
    }
    changes.forEach((c, i) => s.upsertRecord.run(plugin, c.collection, c.key, c.at, JSON.stringify(after[i])));
    return { rows: [{ applied: true, values: after }], changes: changes.length };
  },

  /** One chunk of retention: [before, pluginsJson, at, seq, limit]; row: a PruneChunkResult (./prune.ts). */
  pruneChunk(s, params) {
    const [before, plugins, at, seq, limit] = params as [number, string, number, number, number];
    return { rows: [pruneChunk(s, { before, plugins, at, seq, limit })], changes: 0 };
  },

  /** [before]: quarantined requests no longer held. */
  pruneQuarantine(s, params) {
    return { rows: [], changes: s.pruneQuarantine.run(params[0]).changes };
  },
};
