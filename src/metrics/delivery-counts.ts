/**
 * Per plugin: how many deliveries are still to be done, and how many are
 * dead. Read at scrape time, so the figures are never stale and cost nothing
 * between scrapes.
 */
import type { Store } from '../store/store';

/** What the dispatcher knows: each running plugin's cursor, and the newest seq this instance stored. */
export interface DispatcherPositions {
  positions(): { lastSeq: number; cursors: ReadonlyArray<{ plugin: string; cursor: number }> };
}

export interface DeliverySource {
  store: Pick<Store, 'countDeliveries' | 'latestSeq'>;
  dispatcher: DispatcherPositions;
}

export interface DeliveryCount {
  /** Log positions after the plugin's cursor, plus its deliveries waiting for a retry. */
  pending: number;
  dead: number;
}

export async function countDeliveries(source: DeliverySource): Promise<Map<string, DeliveryCount>> {
  const { lastSeq, cursors } = source.dispatcher.positions();
  const [rows, storedSeq] = await Promise.all([source.store.countDeliveries(), source.store.latestSeq()]);
  // Another instance on the same database may have stored newer events than this one has seen.
  const latest = Math.max(lastSeq, storedSeq);
  const counts = new Map<string, DeliveryCount>();
  const entry = (plugin: string): DeliveryCount => {
    let count = counts.get(plugin);
    if (!count) counts.set(plugin, (count = { pending: 0, dead: 0 }));
    return count;
  };
  for (const { plugin, cursor } of cursors) entry(plugin).pending += Math.max(0, latest - cursor);
  // Rows of a plugin that is now disabled count too: its retries wait, its dead can be replayed.
  for (const row of rows) {
    if (row.status === 'dead') entry(row.plugin).dead += row.count;
    else entry(row.plugin).pending += row.count;
  }
  return counts;
}
