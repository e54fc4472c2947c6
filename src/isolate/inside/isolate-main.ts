/**
 * The inside of a plugin's isolate (a worker thread). It guards the module
 * loader, prepares the plugin (manifest, options, grants), opens its own
 * store connection, builds the plugin's container, runs init, and then, in
 * serve mode, delivers the log to it until told to stop.
 *
 * Everything that goes wrong here is reported to the ingest thread with the
 * plugin named; everything that crashes here (process.exit, an uncaught
 * exception, a heap overflow) ends this thread only, and the ingest thread
 * counts the deliveries in progress as failed attempts (src/isolate/plugin-isolate.ts).
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from 'pino';
import { LivehookError, describeError } from '../../errors';
import { errorData } from '../error-data';
import type { LogLevel } from '../../log/logger';
import type { Store } from '../../store/store';
import { openLinkedStore } from '../../store/store-link';
import { isolateLogger } from '../log-bridge';
import type { AttemptSample, FromIsolate, IsolateSpec, ToIsolate } from '../protocol';
import { IsolateBoard, LogHead } from '../shared-state';
import { DeliveryLoop, ensureCursor } from './delivery-loop';
import { CallCancellation, runWithTimeout } from './run-with-timeout';
import { checkDecision } from '../../decide/decision';
import type { CallbackEvent } from '../../callbacks/event';
import { routeConsoleToLog } from './console-to-log';
import { keepPluginStdioWhole } from './stdio-lines';
import { installModuleGuard } from './module-guard';
import { LocalPlugin, type PluginInstance } from './plugin-instance';
import { buildPluginScope, pluginDataDir } from './plugin-scope';
import { factsOf, preparePlugin, type PreparedPlugin } from './prepare-plugin';
import { ChildProcessPlugin } from '../process/child-process-plugin';

const HEARTBEAT_MS = 100;
const METRICS_FLUSH_MS = 250;
const CURSOR_FLUSH_MS = 200;
const SRC_DIR = path.resolve(__dirname, '..', '..');

const port = parentPort!;
const spec = workerData as IsolateSpec;
const post = (message: FromIsolate): void => port.postMessage(message);

const board = IsolateBoard.from(spec.board);
const head = LogHead.from(spec.head);
const { logger: rootLogger, flush: flushLogs } = isolateLogger(spec.service.logLevel as LogLevel, spec.logTo, (lines) => post({ type: 'log', lines }), spec.found.name);
const logger = rootLogger.child({ plugin: spec.found.name });
routeConsoleToLog(logger);
const stdio = keepPluginStdioWhole(logger);
// The plugin's last partial lines first: they may become log lines, which flushLogs then sends.
process.on('exit', () => {
  stdio.flush();
  flushLogs();
});

/** Batched metrics: one message per quarter second at most, whatever the traffic. */
const metrics = { attempts: [] as AttemptSample[], mails: [] as Array<['smtp' | 'outbox', 'sent' | 'failed']>, cron: [] as Array<[string, number]> };
const metricsTimer = setInterval(flushMetrics, METRICS_FLUSH_MS);
metricsTimer.unref();
function flushMetrics(): void {
  if (metrics.attempts.length + metrics.mails.length + metrics.cron.length === 0) return;
  board.countMetricsSent();
  post({ type: 'metrics', attempts: metrics.attempts.splice(0), mails: metrics.mails.splice(0), cron: metrics.cron.splice(0) });
}

const heartbeat = setInterval(() => board.beat(Date.now()), HEARTBEAT_MS);
board.beat(Date.now());

let store: Store | null = null;
let plugin: PluginInstance | null = null;
let loop: DeliveryLoop | null = null;
let stopping = false;
/** init ran: close must run too (a plugin only checked is disposed without its hooks). */
let initialized = false;

let allowInit: () => void = () => undefined;
const initAllowed = new Promise<void>((resolve) => {
  allowInit = resolve;
});

async function start(): Promise<void> {
  installModuleGuard({
    plugin: spec.found.name,
    dir: spec.found.dir,
    granted: spec.settings.capabilities,
    file: spec.settings.file,
    dataDir: pluginDataDir(spec),
    hostDirs: [SRC_DIR],
  });
  const prepared = preparePlugin(spec.found, spec.settings);
  if (spec.mode !== 'check') store = await openLinkedStore(spec.store!, logger);
  plugin = await createInstance(prepared, logger);
  if (spec.mode !== 'check') {
    if (spec.initGate) {
      post({ type: 'loaded' });
      await initAllowed;
    }
    if (spec.mode === 'serve') {
      board.cursor = await ensureCursor(store!, spec.found.name, spec.settings.startFrom);
      board.cursorKnown = true;
    }
    initialized = true;
    await plugin.init();
  }
  if (spec.mode === 'serve') {
    loop = new DeliveryLoop(
      {
        name: spec.found.name,
        instance: plugin,
        commands: prepared.commands,
        timeoutMs: spec.settings.timeoutMs ?? spec.service.delivery.timeoutMs,
        retry: { ...spec.service.delivery.retry, ...spec.settings.retry },
        concurrency: prepared.concurrency,
      },
      store!,
      head,
      board,
      logger,
      {
        batchSize: spec.service.delivery.batchSize,
        batchBytes: spec.service.delivery.batchBytes,
        instanceId: spec.instanceId,
        useLeases: spec.useLeases,
        leaseMs: spec.service.delivery.leaseMs,
        cursorFlushMs: CURSOR_FLUSH_MS,
        startFrom: spec.settings.startFrom,
        onAttempt: (outcome, ms) => metrics.attempts.push([outcome, ms]),
        // Caught up: what it did shows in /metrics now, not at the next tick.
        onIdle: flushMetrics,
      },
    );
    await loop.start();
  }
  // What it logged while starting comes before it says it is ready, so a command's output follows its warnings.
  flushLogs();
  post({ type: 'ready', facts: factsOf(prepared) });
}

function createInstance(prepared: PreparedPlugin, log: Logger): Promise<PluginInstance> {
  const observers = {
    mail: (transport: 'smtp' | 'outbox', outcome: 'sent' | 'failed') => metrics.mails.push([transport, outcome]),
    cronRunDone: (job: string, at: number) => metrics.cron.push([job, at]),
    crashed: (reason: string) => post({ type: 'crashed', reason }),
  };
  if (spec.settings.isolation === 'process') return ChildProcessPlugin.start(spec, prepared, store, log, observers);
  return LocalPlugin.create(prepared, buildPluginScope(spec, prepared, store, log, observers));
}

async function stop(graceMs: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const deadline = Date.now() + graceMs;
  try {
    await loop?.stop(graceMs);
    flushMetrics();
    try {
      // Cron runs in progress end within the grace, with the store still open (see CronScheduler).
      if (initialized) await plugin?.close(Math.max(0, deadline - Date.now()));
      else await plugin?.dispose();
    } catch (err) {
      logger.error({ err, hook: 'close' }, `plugin failed to close: ${describeError(err)}`);
    }
    await store?.close();
  } finally {
    clearInterval(heartbeat);
    clearInterval(metricsTimer);
    flushLogs();
    post({ type: 'stopped' });
    port.close();
  }
}

/** Runs the plugin's decide under the deadline; the answer is checked here, so only plain data crosses back. */
async function decide(id: number, event: CallbackEvent, deadline: number): Promise<void> {
  try {
    if (!plugin || spec.mode !== 'serve') throw new LivehookError('PLUGIN_FAILED', `plugin "${spec.found.name}" is not running, so it cannot decide`);
    const call = new CallCancellation();
    const instance = plugin;
    const ctx = {
      idempotencyKey: event.id,
      deadline,
      get signal() {
        return call.signal;
      },
    };
    const value = await runWithTimeout(spec.found.name, Math.max(1, Math.floor(deadline - Date.now())), call, () => instance.decide(event, ctx));
    const checked = checkDecision(value);
    if ('problem' in checked) throw new LivehookError('PLUGIN_FAILED', `plugin "${spec.found.name}" failed in decide: ${checked.problem}`, { plugin: spec.found.name, hook: 'decide' });
    post({ type: 'decided', id, decision: checked.decision });
  } catch (err) {
    post({ type: 'decided', id, error: errorData(err) });
  }
}

async function runTask(id: number, task: string, args: Record<string, string>): Promise<void> {
  try {
    if (!plugin || spec.mode === 'check') throw new LivehookError('USAGE', `plugin "${spec.found.name}" is not running, so it cannot run task "${task}"`);
    const result = await plugin.runTask(task, args);
    post({ type: 'task-done', id, result: typeof result === 'string' ? result : undefined });
  } catch (err) {
    post({ type: 'task-done', id, error: errorData(err) });
  }
}


port.on('message', (message: ToIsolate) => {
  switch (message.type) {
    case 'stop':
      void stop(message.graceMs);
      break;
    case 'task':
      void runTask(message.id, message.task, message.args);
      break;
    case 'kick':
      loop?.kick();
      break;
    case 'decide':
      void decide(message.id, message.event, message.deadline);
      break;
    case 'init':
      allowInit();
      break;
  }
});

start().then(
  () => {
    if (spec.mode === 'check') void stop(0);
  },
  async (err: unknown) => {
    post({ type: 'failed', error: errorData(err) });
    try {
      if (initialized) await plugin?.close();
      else await plugin?.dispose();
    } catch {
      // it failed to start: its close may fail too, and says nothing new
    }
    await store?.close().catch(() => undefined);
    clearInterval(heartbeat);
    clearInterval(metricsTimer);
    flushLogs();
    port.close();
  },
);
