/**
 * The Store: where every acknowledged callback lives until every plugin has
 * seen it. Two engines implement it (SQLite, the embedded default, and
 * PostgreSQL for several instances); the dispatcher and the CLI only ever
 * talk to this interface.
 *
 * The event log is append-only. Each plugin keeps one cursor into it (the
 * highest seq it has finished), like a Kafka consumer group; only deliveries
 * that failed get a row of their own (retrying, then dead). That gives "every
 * enabled plugin sees every stored event, retried until done or dead" for one
 * write per event on the hot path instead of one per event and plugin.
 */
import type { CallbackEvent } from '../callbacks/event';
import type { DecisionRecord } from '../decide/decision';

export interface StoredEvent {
  /** Position in the log: increasing, never reused. */
  seq: number;
  event: CallbackEvent;
}

export interface AppendOptions {
  /**
   * The event's body is what buildEvent makes of its raw body (ingest's
   * events are): the store keeps only the raw body and builds the body
   * again when the event is read, instead of keeping both. Half the bytes
   * written per callback.
   */
  bodyFromRaw?: boolean;
}

export interface AppendResult {
  seq: number;
  /** True when an event with the same id was already stored (nothing written). */
  duplicate: boolean;
}

export type DeliveryStatus = 'retrying' | 'dead';

/** A delivery that failed at least once. Deliveries that never failed have no row. */
export interface DeliveryRecord {
  plugin: string;
  eventSeq: number;
  eventId: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due (ms since epoch); null when dead. */
  nextAttemptAt: number | null;
  lastError: string;
  updatedAt: number;
}

export interface DeliveryFailure {
  plugin: string;
  eventSeq: number;
  attempts: number;
  /** null: give up, the delivery is dead. */
  nextAttemptAt: number | null;
  error: string;
}

export type QuarantineStatus = 'held' | 'replayed' | 'rejected';

export interface QuarantineInput {
  receivedAt: number;
  sdkAppId: string | null;
  command: string | null;
  raw: string;
  query: Record<string, string>;
  reason: string;
}

export interface QuarantineRecord extends QuarantineInput {
  id: number;
  status: QuarantineStatus;
  note: string | null;
}

export interface PruneResult {
  events: number;
  deliveries: number;
  quarantine: number;
}

/** One stored record of a plugin's own data (the `store` capability). */
export interface PluginRecord<V = unknown> {
  key: string;
  /** A time the plugin chose to index by (ms since epoch). */
  at: number;
  value: V;
}

/**
 * A plugin's own small database: collections of JSON records, keyed and
 * indexed by time. Keys are unique per (plugin, collection), so writing the
 * same key twice is idempotent. Plugins never see each other's records.
 */
export interface PluginRecords {
  /** Insert or replace. Resolves true when the key was new. */
  put(collection: string, key: string, at: number, value: unknown): Promise<boolean>;
  get<V = unknown>(collection: string, key: string): Promise<PluginRecord<V> | null>;
  delete(collection: string, key: string): Promise<boolean>;
  /** Records with from <= at < to, in `at` order, fetched in pages (memory stays flat for a million rows). */
  scan<V = unknown>(collection: string, from: number, to: number): AsyncIterable<PluginRecord<V>>;
  /**
   * Deletes the collection's records with at < before; resolves with how many
   * went. Done in chunks, so a million old records never hold the store (and
   * the callbacks waiting for it) for long.
   */
  deleteBefore(collection: string, before: number): Promise<number>;
  /**
   * Adds to counters, all or none, atomically (also between instances on
   * one database): each counter is a record whose value is a number, 0 when
   * new. When any counter would go past its `max`, none changes, and
   * `applied` is false. Resolves with each counter's value after (or, when
   * refused, as it stands). A cap checked here is exact: no read-then-write.
   */
  add(changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }>;
  /**
   * "Exactly one instance does this, and another takes over if it dies":
   * claims `key` for `owner`, atomically (also between instances on one
   * database). Taken when no record has the key, or when the claim on it has
   * expired; refused while it is held, also to the same owner (a claim is
   * not renewed: of N callers exactly one gets true). The claim is an
   * ordinary record, `at` as given and a ClaimValue as its value, so
   * get/scan/deleteBefore see it like any other. `ttlMs` Infinity: a claim
   * that never expires (an insert-only claim, "the first one does it").
   * A record without `expiresAt` in its value (one written by put) is held
   * for good. Expiry goes by the database's clock on PostgreSQL (instances'
   * clocks may differ), by this process's on SQLite (one machine).
   */
  claim(collection: string, key: string, at: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives a claim back (deletes it) when `owner` holds it; resolves true when it did. */
  release(collection: string, key: string, owner: string): Promise<boolean>;
  /**
   * Keeps a claim `owner` holds for `ttlMs` more from now (same clocks as
   * claim); resolves false when it is no longer theirs (it ran out and
   * another owner took it, or it was released). Holding a claim for a long
   * task with a short ttl, renewed as the task goes, lets another process
   * take it over soon after the holder dies, not only after the longest the
   * task could take.
   */
  renew(collection: string, key: string, owner: string, ttlMs: number): Promise<boolean>;
}

/** The value of a claim record (PluginRecords.claim). */
export interface ClaimValue {
  owner: string;
  /** When it was taken (ms since epoch). */
  claimedAt: number;
  /** When another caller may take it over; null: never. */
  expiresAt: number | null;
}

/** One counter of PluginRecords.add. */
export interface CounterChange {
  collection: string;
  key: string;
  /** The time it is indexed by (deleteBefore ages counters out like any record). */
  at: number;
  by: number;
  /** The most the counter may reach; absent: no limit. */
  max?: number;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';

  /** Connect and run pending migrations. */
  open(): Promise<void>;
  /** Flush what is waiting for a commit, then close. Idempotent. */
  close(): Promise<void>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;

  // --- ingest ---------------------------------------------------------------
  /**
   * Store an event durably. Concurrent calls are committed together (group
   * commit); the promise resolves once the commit that holds it is on disk.
   */
  append(event: CallbackEvent, options?: AppendOptions): Promise<AppendResult>;
  /** Appends queued but not yet committed (for backpressure). */
  pendingWrites(): number;
  /** About how many bytes those appends hold in memory (for backpressure). */
  pendingWriteBytes(): number;
  latestSeq(): Promise<number>;

  // --- the log ----------------------------------------------------------------
  /**
   * Events with seq > afterSeq in seq order, at most `limit`, and no more
   * than about `maxBytes` of bodies (always at least one event): a plugin
   * behind on 1 MB bodies reads a few at a time, not a batch of 500.
   */
  readEvents(afterSeq: number, limit: number, maxBytes?: number): Promise<StoredEvent[]>;
  getEvent(seq: number): Promise<StoredEvent | null>;
  /**
   * Whether an event of this id is stored, and with which decision (a
   * before-callback's answer; null when it was stored undecided, before any
   * plugin decided its command). Null when no event has this id.
   */
  findDecision(eventId: string): Promise<{ decision: DecisionRecord | null } | null>;

  // --- per-plugin cursors -------------------------------------------------
  getCursor(plugin: string): Promise<number | null>;
  setCursor(plugin: string, seq: number): Promise<void>;

  // --- failed deliveries -------------------------------------------------
  recordFailure(failure: DeliveryFailure): Promise<void>;
  /** A retried delivery succeeded: its row goes. */
  markDelivered(plugin: string, eventSeq: number): Promise<void>;
  dueRetries(plugin: string, now: number, limit: number): Promise<Array<{ delivery: DeliveryRecord; event: StoredEvent }>>;
  listDeliveries(filter?: { plugin?: string; status?: DeliveryStatus }): Promise<DeliveryRecord[]>;
  /** Dead deliveries (all, or one plugin's) become due now with attempts reset. Returns how many. */
  requeueDead(plugin: string | undefined, now: number): Promise<number>;
  countDeliveries(): Promise<Array<{ plugin: string; status: DeliveryStatus; count: number }>>;

  // --- quarantine -----------------------------------------------------------
  quarantine(input: QuarantineInput): Promise<number>;
  listQuarantine(status?: QuarantineStatus): Promise<QuarantineRecord[]>;
  /** One entry, or null when there is none with this id. */
  findQuarantine(id: number): Promise<QuarantineRecord | null>;
  setQuarantineStatus(id: number, status: QuarantineStatus, note: string | null): Promise<void>;

  // --- coordination between instances --------------------------------------
  /** Take or renew a named lease for ttlMs. True when `owner` holds it now. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  // --- plugin data -----------------------------------------------------------
  records(plugin: string): PluginRecords;

  // --- retention -------------------------------------------------------------
  /**
   * Delete events received before `before` that every plugin has finished
   * (seq <= every cursor, no retrying delivery), their dead deliveries, and
   * quarantine entries older than `before` that are no longer held.
   */
  prune(before: number, plugins: string[]): Promise<PruneResult>;
}
