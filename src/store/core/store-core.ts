/**
 * What both store engines share: the lifecycle (open once, close once, a
 * clear error when used closed), the Store methods written once over named
 * statements (./statements.ts), the row mapping (./rows.ts) and the checks
 * and messages of each call. An engine (../sqlite, ../postgres) keeps only
 * what differs: how it connects, runs a named statement, group-commits
 * appends, reads the log within a byte budget, prunes and adds counters.
 */
import type { CallbackEvent } from '../../callbacks/event';
import type { DecisionRecord } from '../../decide/decision';
import { LivehookError } from '../../errors';
import { type EventColumns, type EventRow, fromEventColumns, toEventColumns } from '../event-columns';
import type {
  AppendOptions,
  AppendResult,
  CounterChange,
  DeliveryFailure,
  DeliveryRecord,
  DeliveryStatus,
  PluginRecords,
  PruneResult,
  QuarantineInput,
  QuarantineRecord,
  QuarantineStatus,
  Store,
  StoredEvent,
} from '../store';
import { CorePluginRecords } from './plugin-records';
import { type DeliveryRow, type QuarantineRow, toDecision, toDelivery, toQuarantine } from './rows';
import type { ReadName, ReadStatements, StatementRunner, WriteName, WriteResult, WriteStatements } from './statements';

export abstract class StoreCore implements Store, StatementRunner {
  abstract readonly engine: 'sqlite' | 'postgres';

  private opening: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly pluginRecords = new Map<string, PluginRecords>();

  constructor(
    /** Records per page in PluginRecords.scan and per chunk of deleteBefore. */
    private readonly recordsPageSize: number,
  ) {}

  // --- what each engine does its own way ----------------------------------------

  /** Connects (and migrates); on failure leaves nothing open. */
  protected abstract connect(): Promise<void>;
  /** Commits what was accepted, then lets go of the database. */
  protected abstract disconnect(): Promise<void>;
  /** Runs a named read. */
  abstract read<R extends object, N extends ReadName = ReadName>(action: string, name: N, params: ReadStatements[N]): Promise<R[]>;
  /** Runs a named write (SQLite: in the writer's next group commit). */
  abstract write<R extends object, N extends WriteName = WriteName>(action: string, name: N, params: WriteStatements[N]): Promise<WriteResult<R>>;
  /** Queues checked columns for the next group commit. */
  protected abstract appendColumns(columns: EventColumns): Promise<AppendResult>;
  protected abstract addCounters(action: string, plugin: string, changes: readonly CounterChange[]): Promise<{ applied: boolean; values: number[] }>;
  /** "the SQLite store /data/livehook.db", for messages. */
  protected abstract describeStore(): string;
  /** Details of errors about the store as a whole. */
  protected abstract storeDetails(): Record<string, unknown>;
  /** PostgreSQL text cannot hold NUL: names with NUL are refused up front there. */
  protected abstract readonly refusesNul: boolean;

  abstract readEvents(afterSeq: number, limit: number, maxBytes?: number): Promise<StoredEvent[]>;
  abstract pendingWrites(): number;
  abstract pendingWriteBytes(): number;
  abstract prune(before: number, plugins: string[]): Promise<PruneResult>;

  /** An event row as it was appended (PostgreSQL decodes text it had to encode). */
  protected decodeEventRow<R extends EventRow>(row: R): R {
    return row;
  }

  /** A text value as it was written. */
  protected decodeText(stored: string): string {
    return stored;
  }

  /** The values quarantine() writes (PostgreSQL keeps NUL as the text \u0000). */
  protected quarantineValues(input: QuarantineInput): WriteStatements['quarantine'] {
    return [input.receivedAt, input.sdkAppId, input.command, input.raw, JSON.stringify(input.query ?? {}), input.reason];
  }

  // --- lifecycle ---------------------------------------------------------------------

  open(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    this.opening ??= this.connect().catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.opening) await this.opening.catch(() => undefined);
      await this.disconnect();
    })();
    return this.closing;
  }

  /** True once close() was called: nothing new is accepted. */
  protected get isClosing(): boolean {
    return this.closing !== null;
  }

  protected closedError(): LivehookError {
    const state = this.closing ? 'closed' : 'not open yet (call open() first)';
    return new LivehookError('STORE_FAILED', `${this.describeStore()} is ${state}`, this.storeDetails());
  }

  async ping(): Promise<void> {
    await this.read('ping', 'ping', []);
  }

  // --- ingest and the log -----------------------------------------------------------

  append(event: CallbackEvent, options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closing) return Promise.reject(this.closedError());
    let columns: EventColumns;
    try {
      columns = toEventColumns(event, options.bodyFromRaw);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.appendColumns(columns);
  }

  async latestSeq(): Promise<number> {
    const rows = await this.read<{ seq: number | string }>('read the latest seq', 'latestSeq', []);
    return Number(rows[0]!.seq);
  }

  async getEvent(seq: number): Promise<StoredEvent | null> {
    const rows = await this.read<EventRow>(`read event seq ${seq}`, 'getEvent', [seq]);
    return rows.length > 0 ? this.toStoredEvent(rows[0]!) : null;
  }

  async findDecision(eventId: string): Promise<{ decision: DecisionRecord | null } | null> {
    const rows = await this.read<{ decision: string | null }>(`read the decision of event ${eventId}`, 'decisionById', [eventId]);
    return rows.length === 0 ? null : { decision: toDecision(rows[0]!.decision) };
  }

  protected toStoredEvent(row: EventRow): StoredEvent {
    return fromEventColumns(this.decodeEventRow(row));
  }

  // --- cursors -------------------------------------------------------------------------

  async getCursor(plugin: string): Promise<number | null> {
    const rows = await this.read<{ seq: number | string }>(`read the cursor of plugin ${plugin}`, 'getCursor', [plugin]);
    return rows.length > 0 ? Number(rows[0]!.seq) : null;
  }

  async setCursor(plugin: string, seq: number): Promise<void> {
    await this.write(`move the cursor of plugin ${plugin} to seq ${seq}`, 'setCursor', [plugin, seq, Date.now()]);
  }

  // --- failed deliveries -----------------------------------------------------------------

  async recordFailure(failure: DeliveryFailure): Promise<void> {
    const { plugin, eventSeq } = failure;
    const status = failure.nextAttemptAt === null ? 'dead' : 'retrying';
    const { changes } = await this.write(`record a failed delivery of seq ${eventSeq} to plugin ${plugin}`, 'recordFailure', [
      plugin, status, failure.attempts, failure.nextAttemptAt, failure.error, Date.now(), eventSeq,
    ]);
    if (changes === 0) {
      throw new LivehookError('STORE_FAILED', `cannot record a failed delivery of event seq ${eventSeq} to plugin ${plugin}: no such event in the log`, { plugin, eventSeq });
    }
  }

  async markDelivered(plugin: string, eventSeq: number): Promise<void> {
    await this.write(`mark seq ${eventSeq} delivered to plugin ${plugin}`, 'markDelivered', [plugin, eventSeq]);
  }

  async dueRetries(plugin: string, now: number, limit: number): Promise<Array<{ delivery: DeliveryRecord; event: StoredEvent }>> {
    const rows = await this.read<DeliveryRow & EventRow>(`read due retries of plugin ${plugin}`, 'dueRetries', [plugin, now, limit]);
    return rows.map((row) => ({ delivery: toDelivery(row, (s) => this.decodeText(s)), event: this.toStoredEvent(row) }));
  }

  async listDeliveries(filter: { plugin?: string; status?: DeliveryStatus } = {}): Promise<DeliveryRecord[]> {
    const rows = await this.read<DeliveryRow>('list failed deliveries', 'listDeliveries', [filter.plugin ?? null, filter.status ?? null]);
    return rows.map((row) => toDelivery(row, (s) => this.decodeText(s)));
  }

  async requeueDead(plugin: string | undefined, now: number): Promise<number> {
    const { changes } = await this.write(`requeue dead deliveries${plugin ? ` of plugin ${plugin}` : ''}`, 'requeueDead', [plugin ?? null, now]);
    return changes;
  }

  async countDeliveries(): Promise<Array<{ plugin: string; status: DeliveryStatus; count: number }>> {
    const rows = await this.read<{ plugin: string; status: DeliveryStatus; count: number | string }>('count failed deliveries', 'countDeliveries', []);
    return rows.map((r) => ({ plugin: r.plugin, status: r.status, count: Number(r.count) }));
  }

  // --- quarantine -------------------------------------------------------------------------

  async quarantine(input: QuarantineInput): Promise<number> {
    const { rows } = await this.write<{ id: number | string }>('quarantine a request', 'quarantine', this.quarantineValues(input));
    return Number(rows[0]!.id);
  }

  async listQuarantine(status?: QuarantineStatus): Promise<QuarantineRecord[]> {
    const rows = await this.read<QuarantineRow>('list quarantined requests', 'listQuarantine', [status ?? null]);
    return rows.map(toQuarantine);
  }

  async findQuarantine(id: number): Promise<QuarantineRecord | null> {
    const [row] = await this.read<QuarantineRow>(`read quarantined request ${id}`, 'findQuarantine', [id]);
    return row ? toQuarantine(row) : null;
  }

  async setQuarantineStatus(id: number, status: QuarantineStatus, note: string | null): Promise<void> {
    const { changes } = await this.write(`set the status of quarantined request ${id}`, 'setQuarantineStatus', [id, status, note]);
    if (changes === 0) throw new LivehookError('NOT_FOUND', `no quarantined request with id ${id} (see the list of quarantined requests)`, { id });
  }

  // --- leases ------------------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const { changes } = await this.write(`take the lease ${name}`, 'acquireLease', [name, owner, Math.ceil(ttlMs), Date.now()]);
    return changes === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.write(`release the lease ${name}`, 'releaseLease', [name, owner]);
  }

  // --- plugin data ---------------------------------------------------------------------------

  records(plugin: string): PluginRecords {
    if (typeof plugin !== 'string' || plugin.length === 0) {
      throw new LivehookError('PLUGIN_INVALID', 'records(plugin) needs the plugin name (a non-empty string)', { plugin });
    }
    let records = this.pluginRecords.get(plugin);
    if (!records) {
      const add = (action: string, p: string, changes: readonly CounterChange[]) => this.addCounters(action, p, changes);
      records = new CorePluginRecords(plugin, this, add, this.recordsPageSize, this.refusesNul);
      this.pluginRecords.set(plugin, records);
    }
    return records;
  }
}
