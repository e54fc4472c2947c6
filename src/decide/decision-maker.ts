/**
 * Answers a *before* callback by asking the plugins that decide its command,
 * in config order, within the budget Tencent leaves (it blocks the gift when
 * no answer comes in 2 s).
 *
 * The budget runs from the request's arrival. The store's share (the append
 * that keeps the callback with its decision) is set aside first; what is left
 * is split among the deciders still to ask, so a decider that hangs costs its
 * own share only and the ones after it are still asked. The first rejection
 * wins and ends the asking. A decider that throws, answers late or is not
 * running is skipped; if no decider rejected, the `onError` policy answers.
 */
import type { Logger } from 'pino';
import type { CallbackEvent } from '../callbacks/event';
import { describeError } from '../errors';
import type { Decision, DecisionRecord } from './decision';

export interface DecisionSettings {
  /** From the request's arrival to the answer, ms (Tencent waits 2,000). */
  budgetMs: number;
  /** Part of the budget kept for storing the callback and answering, ms. */
  storeReserveMs: number;
  /** The answer when a decider failed or ran late and none rejected. */
  onError: 'allow' | 'reject';
}

/** A plugin that may decide (a PluginIsolate). */
export interface Decider {
  readonly name: string;
  decides(command: string): boolean;
  decide(event: CallbackEvent, deadline: number): Promise<Decision>;
}

export type DeciderOutcome = 'allow' | 'reject' | 'error' | 'late';

export interface DecisionObserver {
  /** One decider's answer (or failure) and how long it took. */
  asked(plugin: string, outcome: DeciderOutcome, ms: number): void;
  /** The answer that goes out. */
  decided(record: DecisionRecord): void;
}

export class DecisionMaker {
  constructor(
    /** Every running plugin, in config order. */
    private readonly plugins: () => readonly Decider[],
    private readonly settings: DecisionSettings,
    private readonly logger: Logger,
    private readonly observer?: DecisionObserver,
  ) {}

  /** From arrival to answer, the decision and the store write included. */
  get budgetMs(): number {
    return this.settings.budgetMs;
  }

  /** True when some plugin decides this command: the callback waits for its answer. */
  decides(command: string): boolean {
    return this.plugins().some((p) => p.decides(command));
  }

  async decide(event: CallbackEvent, arrivedAt: number): Promise<DecisionRecord> {
    const deciders = this.plugins().filter((p) => p.decides(event.command));
    const deadline = arrivedAt + this.settings.budgetMs - this.settings.storeReserveMs;
    const failures: DecisionRecord['failures'] = [];
    let late = false;
    let rejection: { plugin: string; decision: Extract<Decision, { verdict: 'reject' }> } | null = null;
    for (let i = 0; i < deciders.length && !rejection; i++) {
      const plugin = deciders[i];
      const started = Date.now();
      const share = Math.max(0, Math.floor((deadline - started) / (deciders.length - i)));
      try {
        const decision = await plugin.decide(event, started + share);
        this.observer?.asked(plugin.name, decision.verdict, Date.now() - started);
        if (decision.verdict === 'reject') rejection = { plugin: plugin.name, decision };
      } catch (err) {
        const timedOut = (err as { code?: string }).code === 'PLUGIN_TIMEOUT';
        late ||= timedOut;
        failures.push({ plugin: plugin.name, error: describeError(err) });
        this.observer?.asked(plugin.name, timedOut ? 'late' : 'error', Date.now() - started);
        this.logger.warn({ plugin: plugin.name, hook: 'decide', eventId: event.id, command: event.command, err }, `decider "${plugin.name}" skipped: ${describeError(err)}`);
      }
    }
    const at = Date.now();
    const common = { failures, ms: at - arrivedAt, budgetExceeded: late, at };
    let record: DecisionRecord;
    if (rejection) {
      const { code, info, reason } = rejection.decision;
      record = { verdict: 'reject', code: code ?? 1, info: info ?? '', plugin: rejection.plugin, reason: reason ?? rejection.plugin, by: 'deciders', ...common };
    } else if (failures.length === 0) {
      record = { verdict: 'allow', code: 0, info: '', plugin: null, reason: null, by: 'deciders', ...common };
    } else if (this.settings.onError === 'allow') {
      record = { verdict: 'allow', code: 0, info: '', plugin: null, reason: null, by: 'onError', ...common };
    } else {
      record = { verdict: 'reject', code: 1, info: `refused: ${failures.length === 1 ? 'a decider' : 'deciders'} could not answer in time (onError policy "reject")`, plugin: null, reason: 'onError', by: 'onError', ...common };
    }
    this.observer?.decided(record);
    return record;
  }
}
