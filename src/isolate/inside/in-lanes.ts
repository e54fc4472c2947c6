/** Work over a list in a fixed number of lanes (a plugin's `concurrency`). */

/**
 * Runs `work` over `items`, at most `concurrency` at a time; stops starting
 * new ones when stopped. `work` throws only when the store failed: then no
 * lane starts anything more, all settle, and the error goes to the pass,
 * which retries from the same cursor. Each item is let go of (its slot
 * emptied) once its work is done, so that a batch of big events is never
 * held in memory whole.
 */
export async function inLanes<T>(concurrency: number, mustStop: () => boolean, items: Array<T | undefined>, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length && !mustStop()) {
      const at = next++;
      try {
        await work(items[at]!);
      } catch (err) {
        failures.push(err);
      } finally {
        items[at] = undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failures.length > 0) throw failures[0];
}
