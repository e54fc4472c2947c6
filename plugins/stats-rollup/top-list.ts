/**
 * The N best rooms by one figure, kept while streaming over a day's rooms
 * (a million rooms cost N slots, not a sort of a million).
 *
 * Ties are broken by close time, then by record key, so the same rooms
 * always give the same list: a rebuilt report is identical.
 */
import type { StatName, StoredRoom } from './room-record';

export class TopList {
  private readonly rooms: Array<StoredRoom> = [];

  constructor(
    readonly by: StatName,
    private readonly size: number,
  ) {}

  offer(room: StoredRoom): void {
    if (!room.value.statistic) return; // a room with no statistics has no rank
    const full = this.rooms.length >= this.size;
    if (full && !this.before(room, this.rooms[this.rooms.length - 1])) return;
    let i = this.rooms.length;
    while (i > 0 && this.before(room, this.rooms[i - 1])) i--;
    this.rooms.splice(i, 0, room);
    if (this.rooms.length > this.size) this.rooms.pop();
  }

  list(): ReadonlyArray<StoredRoom> {
    return this.rooms;
  }

  /** True when a ranks above b. */
  private before(a: StoredRoom, b: StoredRoom): boolean {
    const va = a.value.statistic![this.by];
    const vb = b.value.statistic![this.by];
    if (va !== vb) return va > vb;
    if (a.at !== b.at) return a.at < b.at;
    return a.key < b.key;
  }
}
