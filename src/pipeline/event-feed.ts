/**
 * The log as plugins read it. Events this process just stored are kept in
 * memory for a while, so plugins that keep up read them without a database
 * round trip and a JSON parse each; anything else (a plugin far behind, an
 * event stored by another instance, a restart) comes from the store. Reads
 * from memory are only used when they continue the cursor exactly, so the
 * cache can never skip an event.
 */
import type { CallbackEvent } from '../callbacks/event';
import type { Store, StoredEvent } from '../store/store';

export class EventFeed {
  private recent: StoredEvent[] = [];

  constructor(
    private readonly store: Store,
    private readonly maxCached: number,
  ) {}

  remember(seq: number, event: CallbackEvent): void {
    const last = this.recent[this.recent.length - 1];
    if (last && seq <= last.seq) {
      this.recent = []; // out of order can only mean something unusual: trust the store
    }
    this.recent.push({ seq, event });
    if (this.recent.length > this.maxCached) this.recent.splice(0, this.recent.length - this.maxCached);
  }

  /** Forget what every reader has passed. */
  forgetUpTo(seq: number): void {
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop].seq <= seq) drop++;
    if (drop > 0) this.recent.splice(0, drop);
  }

  async read(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const first = this.recent[0];
    if (first && first.seq <= afterSeq + 1) {
      const start = afterSeq + 1 - first.seq;
      if (start < this.recent.length && this.recent[start].seq === afterSeq + 1) {
        const out: StoredEvent[] = [];
        for (let i = start; i < this.recent.length && out.length < limit; i++) {
          if (this.recent[i].seq !== afterSeq + 1 + out.length) break;
          out.push(this.recent[i]);
        }
        return out;
      }
    }
    return this.store.readEvents(afterSeq, limit);
  }
}
