/**
 * A plugin prepared as its isolate prepares it (config files, manifest,
 * options, grants, a child container with the real capabilities: SQLite
 * store in a temp dir, reports folder, cron scheduler, mailer), but in this
 * thread and without HTTP or a delivery loop. Tests hand it events one by
 * one, and, with test/helpers/fake-clock.ts, move its clock by hand: cron
 * ticks and time windows then take no real time.
 */
import { Writable } from 'node:stream';
import { buildEvent } from '../../src/callbacks/build-event';
import type { CallbackEvent } from '../../src/callbacks/event';
import type { DecisionRecord } from '../../src/decide/decision';
import { loadConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/log/logger';
import { LocalPlugin } from '../../src/isolate/inside/plugin-instance';
import { buildPluginScope } from '../../src/isolate/inside/plugin-scope';
import { preparePlugin } from '../../src/isolate/inside/prepare-plugin';
import { openCompileLine } from '../../src/isolate/compile-bridge';
import type { IsolateSpec } from '../../src/isolate/protocol';
import { LogHead, IsolateBoard } from '../../src/isolate/shared-state';
import { planPlugins } from '../../src/pipeline/plan-plugins';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { tempDir, writeConfigDir } from './service';

export interface PluginInThread {
  dataDir: string;
  store: Store;
  plugin: LocalPlugin;
  /** Log lines of the plugin (JSON objects) so far. */
  logs: Array<Record<string, unknown>>;
  /** Hands one callback body to the plugin as the delivery loop would; returns the event. */
  deliver(body: Record<string, unknown>, options?: { receivedAt?: number; attempt?: number; decision?: DecisionRecord }): Promise<CallbackEvent>;
  /** Asks a deciding plugin for its answer to one before-callback body, received now. */
  decide(body: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export interface PluginInThreadOptions {
  /** The plugin's config file (its reserved keys and options); `enabled: true` is implied. */
  config: Record<string, unknown>;
  timezone: string;
  dataDir?: string;
  env?: Record<string, string>;
}

export async function startPluginInThread(name: string, opts: PluginInThreadOptions): Promise<PluginInThread> {
  const configDir = writeConfigDir({ onlyPlugins: [name], plugins: { [name]: { enabled: true, ...opts.config } } });
  const dataDir = opts.dataDir ?? tempDir(`livehook-${name}-`);
  const config = loadConfig({ configDir, env: { LIVEHOOK_DATA_DIR: dataDir, LIVEHOOK_TIMEZONE: opts.timezone, ...opts.env } });
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
        done();
      },
    }),
  );
  const store = await openStore({ dataDir, logger });
  const plan = planPlugins(config).find((p) => p.name === name);
  if (!plan || plan.state !== 'enabled') throw new Error(`${name} is not enabled${plan ? `: ${plan.reason}` : ''}`);
  const service = config.service;
  const compileLine = openCompileLine(); // (this thread compiles for itself: the line is never used)
  const spec: IsolateSpec = {
    mode: 'task',
    found: plan.found,
    settings: plan.settings,
    service: { dataDir: service.dataDir, timezone: service.timezone, publicUrl: null, mail: service.mail, logLevel: 'info', delivery: { timeoutMs: service.delivery.timeoutMs, retry: service.delivery.retry, batchSize: service.delivery.batchSize, batchBytes: service.delivery.batchBytes, leaseMs: service.delivery.leaseMs } },
    instanceId: `test-${process.pid}`,
    useLeases: false,
    head: LogHead.create().buffer,
    board: IsolateBoard.create(1).buffer,
    logTo: 'parent',
    compile: compileLine.line,
    initGate: false,
  };
  const prepared = preparePlugin(plan.found, plan.settings);
  const plugin = await LocalPlugin.create(prepared, buildPluginScope(spec, prepared, store, logger.child({ plugin: name }), { mail: () => undefined, cronRunDone: () => undefined }));
  await plugin.init();
  let seq = 0;
  return {
    dataDir,
    store,
    plugin,
    logs,
    async deliver(body, options = {}) {
      const event = buildEvent({ raw: JSON.stringify(body), query: { SdkAppid: '1400000001' }, receivedAt: options.receivedAt ?? Date.now() });
      if (options.decision) event.decision = options.decision;
      await plugin.handle(event, { idempotencyKey: event.id, attempt: options.attempt ?? 1, seq: ++seq, signal: new AbortController().signal });
      return event;
    },
    decide(body) {
      const event = buildEvent({ raw: JSON.stringify(body), query: { SdkAppid: '1400000001' }, receivedAt: Date.now() });
      return plugin.decide(event, { idempotencyKey: event.id, deadline: Date.now() + 1000, signal: new AbortController().signal });
    },
    async close() {
      compileLine.close();
      await plugin.close();
      await store.close();
    },
  };
}
