/**
 * The Prometheus metrics of one service, in a registry of its own (two
 * services in one process, as in the tests, never share a series), plus the
 * hooks that feed them. The metric list with meanings is in docs/operating.md.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallbackEvent } from '../callbacks/event';
import { describeError } from '../errors';
import { commandLabel, type CallbackOutcome } from './callback-outcome';
import { countDeliveries, type DeliveryCount, type DeliverySource } from './delivery-counts';
import { processMetrics } from './process-metrics';
import { decisionMetrics } from './decision-metrics';
import type { DecisionObserver } from '../decide/decision-maker';

/** Callback latency is milliseconds when all is well (one group commit), seconds when the disk struggles. */
const INGEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Plugin runs go from sub-millisecond (a log line) to the delivery time-out (10 s by default). */
const PLUGIN_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ServiceMetrics {
  /** This service's own metrics. */
  readonly registry = new Registry();
  /** What /metrics serves: the service's metrics and the process's. */
  private readonly scraped: Registry;
  private readonly callbacks: Counter<'command' | 'outcome'>;
  private readonly ingestSeconds: Histogram;
  private readonly pluginRunSeconds: Histogram<'plugin' | 'outcome'>;
  private readonly mails: Counter<'transport' | 'outcome'>;
  private readonly cronLastSuccess: Gauge<'plugin' | 'job'>;
  private readonly pluginUp: Gauge<'plugin'>;
  private readonly pluginRestarts: Counter<'plugin'>;
  /** Fed by the decision maker. */
  readonly decisions: DecisionObserver;
  private deliveries: DeliverySource | null = null;
  /** One store read per scrape, shared by the pending and dead gauges. */
  private snapshot: Promise<Map<string, DeliveryCount> | null> | null = null;

  constructor(private readonly logger: Logger) {
    const registers = [this.registry];
    this.callbacks = new Counter({
      name: 'livehook_callbacks_total',
      help: 'Callbacks answered on POST /callback, by command (known commands by name, others "unknown") and outcome.',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.ingestSeconds = new Histogram({
      name: 'livehook_ingest_duration_seconds',
      help: 'Time from receiving a POST /callback to its answer (for OK: until the event is durably stored).',
      buckets: INGEST_BUCKETS,
      registers,
    });
    const snapshot = () => this.deliverySnapshot();
    new Gauge({
      name: 'livehook_deliveries_pending',
      help: 'Per plugin: stored events after its cursor (not finished yet) plus deliveries waiting for a retry.',
      labelNames: ['plugin'],
      registers,
      async collect() {
        setFrom(this, await snapshot(), (c) => c.pending);
      },
    });
    new Gauge({
      name: 'livehook_deliveries_dead',
      help: 'Per plugin: deliveries that failed their last attempt (livehook replay re-runs them).',
      labelNames: ['plugin'],
      registers,
      async collect() {
        setFrom(this, await snapshot(), (c) => c.dead);
      },
    });
    this.pluginRunSeconds = new Histogram({
      name: 'livehook_plugin_run_seconds',
      help: 'Duration of each delivery attempt, by plugin and outcome (done, retry: failed and will be retried, dead: failed for good).',
      labelNames: ['plugin', 'outcome'],
      buckets: PLUGIN_BUCKETS,
      registers,
    });
    this.mails = new Counter({
      name: 'livehook_mails_total',
      help: 'Mails sent by plugins, by transport (smtp or outbox) and outcome (sent or failed).',
      labelNames: ['transport', 'outcome'],
      registers,
    });
    this.cronLastSuccess = new Gauge({
      name: 'livehook_cron_last_success_timestamp_seconds',
      help: 'When a cron job last finished without error on this instance (unix seconds), by plugin and job; the daily report is plugin="stats-rollup", job="daily-report".',
      labelNames: ['plugin', 'job'],
      registers,
    });
    this.pluginUp = new Gauge({
      name: 'livehook_plugin_up',
      help: 'Per enabled plugin: 1 while its isolate runs and delivers, 0 while it starts, restarts after a crash, or has failed.',
      labelNames: ['plugin'],
      registers,
    });
    this.pluginRestarts = new Counter({
      name: 'livehook_plugin_restarts_total',
      help: "Per plugin: how often its isolate ended without being asked (process.exit, an uncaught error, its heap limit, a blocked event loop) and was restarted.",
      labelNames: ['plugin'],
      registers,
    });
    this.decisions = decisionMetrics(this.registry);
    this.scraped = Registry.merge([processMetrics(), this.registry]);
  }

  /** Where the delivery gauges read from (set once the dispatcher exists). */
  watchDeliveries(source: DeliverySource): void {
    this.deliveries = source;
  }

  /** The /metrics page. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.scraped.contentType, text: await this.scraped.metrics() };
  }

  countCallback(command: string | null | undefined, outcome: CallbackOutcome): void {
    this.callbacks.inc({ command: commandLabel(command), outcome });
  }

  observeIngest(seconds: number): void {
    this.ingestSeconds.observe(seconds);
  }

  // The hooks below are arrow functions: they are handed over as callbacks.

  /** Ingest stored an event (or found it stored already). */
  readonly onAccepted = (event: CallbackEvent, duplicate: boolean): void => {
    this.countCallback(event.known ? event.command : null, duplicate ? 'duplicate' : 'ok');
  };

  /** The dispatcher's onAttempt. */
  readonly onPluginAttempt = (plugin: string, outcome: 'done' | 'retry' | 'dead', durationMs: number): void => {
    this.pluginRunSeconds.observe({ plugin, outcome }, durationMs / 1000);
  };

  readonly onMail = (transport: 'smtp' | 'outbox', outcome: 'sent' | 'failed'): void => {
    this.mails.inc({ transport, outcome });
  };

  /** A plugin's isolate changed state (running or not); `null` when the plugin is no longer enabled. */
  readonly onPluginState = (plugin: string, up: boolean | null): void => {
    if (up === null) this.pluginUp.remove({ plugin });
    else this.pluginUp.set({ plugin }, up ? 1 : 0);
  };

  /** A plugin's isolate crashed and is being restarted. */
  readonly onPluginRestart = (plugin: string): void => {
    this.pluginRestarts.inc({ plugin });
  };

  /** A cron job finished without error. */
  readonly onCronRunDone = (plugin: string, job: string, finishedAt: number): void => {
    this.cronLastSuccess.set({ plugin, job }, finishedAt / 1000);
  };

  private deliverySnapshot(): Promise<Map<string, DeliveryCount> | null> {
    if (this.deliveries === null) return Promise.resolve(null);
    this.snapshot ??= countDeliveries(this.deliveries)
      .catch((err) => {
        // The rest of the page is still worth serving when the database is down.
        this.logger.warn({ err }, `metrics: could not count deliveries (the pending/dead gauges are left out of this scrape): ${describeError(err)}`);
        return null;
      })
      .finally(() => {
        this.snapshot = null;
      });
    return this.snapshot;
  }
}

function setFrom(gauge: Gauge<'plugin'>, counts: Map<string, DeliveryCount> | null, pick: (c: DeliveryCount) => number): void {
  gauge.reset(); // a plugin that went away loses its series
  if (counts === null) return;
  for (const [plugin, count] of counts) gauge.set({ plugin }, pick(count));
}
