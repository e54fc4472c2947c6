/**
 * Metrics of before-callbacks (src/decide/decision-maker.ts): what each
 * decider answered, how long the answers took, and how often the budget ran
 * out. Registered in the service's registry (./service-metrics.ts).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DecisionRecord } from '../decide/decision';
import type { DeciderOutcome, DecisionObserver } from '../decide/decision-maker';

/** Decisions should take milliseconds; the budget is 1.5 s by default, Tencent's limit 2 s. */
const DECISION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2];

export function decisionMetrics(registry: Registry): DecisionObserver {
  const registers = [registry];
  const byPlugin = new Counter({
    name: 'livehook_decisions_total',
    help: 'Answers of deciding plugins to before-callbacks, by plugin and outcome (allow, reject, error: it threw or was not running, late: past its share of the budget).',
    labelNames: ['plugin', 'outcome'],
    registers,
  });
  const answered = new Counter({
    name: 'livehook_decision_answers_total',
    help: 'Before-callbacks answered, by verdict (allow, reject) and by whom (deciders, or the onError policy after a decider failed).',
    labelNames: ['verdict', 'by'],
    registers,
  });
  const seconds = new Histogram({
    name: 'livehook_decision_duration_seconds',
    help: 'From a before-callback\'s arrival to its decision (the store write follows).',
    buckets: DECISION_BUCKETS,
    registers,
  });
  const overruns = new Counter({
    name: 'livehook_decision_budget_overruns_total',
    help: 'Before-callbacks for which a decider ran past its share of the decision budget.',
    registers,
  });
  return {
    asked(plugin: string, outcome: DeciderOutcome): void {
      byPlugin.inc({ plugin, outcome });
    },
    decided(record: DecisionRecord): void {
      answered.inc({ verdict: record.verdict, by: record.by });
      seconds.observe(record.ms / 1000);
      if (record.budgetExceeded) overruns.inc();
    },
  };
}
