/**
 * How many bytes of stored events the slowest plugin has not finished: the
 * size of each event this instance stored, kept in seq order until every
 * plugin's cursor has passed it. Two numbers an event, not the event.
 * (Events stored by other instances on a shared database are counted by
 * their number only, in the backlog of events.)
 */
export class BacklogLedger {
  private seqs: number[] = [];
  private sizes: number[] = [];
  /** Index of the first entry still counted (entries before it are dropped in bulk). */
  private first = 0;
  private total = 0;

  add(seq: number, bytes: number): void {
    this.seqs.push(seq);
    this.sizes.push(bytes);
    this.total += bytes;
  }

  /** Bytes of the events after `cursor` (the slowest plugin's); forgets those before it. */
  bytesAfter(cursor: number): number {
    while (this.first < this.seqs.length && this.seqs[this.first]! <= cursor) {
      this.total -= this.sizes[this.first]!;
      this.first += 1;
    }
    if (this.first > 4096 && this.first * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.first);
      this.sizes = this.sizes.slice(this.first);
      this.first = 0;
    }
    return this.total;
  }
}
