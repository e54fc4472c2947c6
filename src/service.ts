/**
 * The whole service, assembled: config → store → plugin isolates → HTTP.
 * This thread authenticates, validates, stores and answers; each plugin runs
 * in an isolate of its own and reads the log from its cursor (src/isolate/).
 * `close()` takes it down in the order that loses nothing: stop accepting,
 * answer what is in flight, flush the commit, let the isolates finish their
 * deliveries within a deadline and close their plugins, close the store.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load-config';
import { createApp } from './http/app';
import { callbackRouter } from './http/callback-route';
import { DecisionMaker } from './decide/decision-maker';
import { deferContinue } from './http/expect-continue';
import { TIMEOUT_CHECK_MS, answerClientErrors } from './http/client-errors';
import { listenError } from './http/listen-error';
import { responseClosingWhen, stopServer } from './http/stop-server';
import { healthRouter } from './http/health-routes';
import { openAccessWarnings } from './http/open-access';
import { logMailSetup } from './mail/mail-setup';
import { loginRouter } from './reports/login-routes';
import { reportsRouter } from './reports/reports-routes';
import { createLogger } from './log/logger';
import { callbackMetrics } from './metrics/callback-metrics';
import { metricsRouter } from './metrics/metrics-route';
import { serviceReadiness } from './metrics/readiness';
import { ServiceMetrics } from './metrics/service-metrics';
import { logDestinationOf } from './isolate/log-bridge';
import { PluginIsolates } from './isolate/plugin-isolates';
import { PluginStatusBoard } from './isolate/plugin-status';
import { ConfigReloader } from './pipeline/config-reloader';
import { Ingest } from './pipeline/ingest';
import { enabledPlans } from './pipeline/enabled-plans';
import { planPlugins } from './pipeline/plan-plugins';
import { scheduleRetention } from './pipeline/retention';
import { StoreBackedReports } from './reports/store-backed-reports';
import { CronScheduler } from './scheduler/cron-scheduler';
import { lockDataDir } from './store/data-dir-lock';
import { diskFullAtStart, isDiskFull } from './store/disk-full';
import { openStore } from './store/open-store';
import type { Store } from './store/store';

export interface ServiceOptions {
  env?: NodeJS.ProcessEnv;
  configDir?: string;
  logger?: Logger;
  /** Watch the config folder and reload on change and SIGHUP (default true). */
  watchConfig?: boolean;
  /** The store can no longer write: a process should stop and be restarted (see `livehook serve`). */
  onFatal?: (reason: Error) => void;
}

export interface RunningService {
  url: string;
  port: number;
  config: LoadedConfig;
  store: Store;
  /** The plugins, each in its isolate. */
  isolates: PluginIsolates;
  ingest: Ingest;
  reloader: ConfigReloader;
  logger: Logger;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const config = loadConfig({ env: options.env, configDir: options.configDir });
  try {
    return await startWith(config, options);
  } catch (err) {
    // Whichever step found the disk full (the lock, SQLite, a plugin's file), the operator reads one line that says so.
    if (isDiskFull(err)) throw diskFullAtStart(config.service.dataDir, err);
    throw err;
  }
}

async function startWith(config: LoadedConfig, options: ServiceOptions): Promise<RunningService> {
  const service = config.service;
  const logger = options.logger ?? createLogger(service.log.level);
  const instanceId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  fs.mkdirSync(service.dataDir, { recursive: true });

  // SQLite: one service per data dir (taken before the store opens, released after it closes).
  const lock = service.store.databaseUrl ? null : lockDataDir(service.dataDir);
  let store: Store;
  try {
    store = await openStore({
      dataDir: service.dataDir,
      databaseUrl: service.store.databaseUrl,
      synchronous: service.store.synchronous,
      postgres: service.store.postgres,
      logger,
      onFatal: options.onFatal,
      // Ready again after a full disk once one more body of the largest size fits.
      minFreeBytes: service.http.bodyLimitBytes,
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const closers: Array<() => Promise<void> | void> = [() => lock?.release(), () => store.close()];
  // One deadline for the whole stop: what the server and the plugins take comes out of one grace.
  const graceMs = service.delivery.shutdownGraceMs;
  let stopDeadline = Infinity;
  const graceLeft = (): number => Math.max(0, Math.min(graceMs, stopDeadline - Date.now()));
  const closeAll = async (): Promise<void> => {
    stopDeadline = Date.now() + graceMs;
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        logger.error({ err }, 'error while closing');
      }
    }
  };

  try {
    const metrics = new ServiceMetrics(logger);
    const status = new PluginStatusBoard(store, instanceId, logger);
    closers.push(() => status.close());
    const isolates = new PluginIsolates({
      service,
      store,
      logger,
      logTo: logDestinationOf(logger),
      instanceId,
      useLeases: store.engine !== 'sqlite',
      observers: {
        attempt: metrics.onPluginAttempt,
        mail: metrics.onMail,
        cronRunDone: metrics.onCronRunDone,
        restarted: metrics.onPluginRestart,
        stateChanged: (isolate) => {
          metrics.onPluginState(isolate.name, isolate.state === 'stopped' ? null : isolate.state === 'running');
          if (isolate.state === 'stopped') void status.forget(isolate.name);
          else status.publish(isolate.name, isolate.state, isolate.reason, isolate.restarts);
        },
      },
    });
    closers.push(() => isolates.stop(graceLeft()));
    await isolates.startAll(enabledPlans(planPlugins(config), logger), await store.latestSeq());
    metrics.watchDeliveries({ store, dispatcher: isolates });

    const reloader = new ConfigReloader({ config, env: options.env, isolates, logger, graceMs });
    if (options.watchConfig !== false) reloader.start();
    closers.push(() => reloader.stop());

    const coreScheduler = new CronScheduler({ store, owner: instanceId, namespace: 'livehook', timezone: service.timezone, logger, onRunDone: metrics.onCronRunDone, holdMs: service.delivery.leaseMs });
    closers.push(() => coreScheduler.stop());
    scheduleRetention({ scheduler: coreScheduler, store, schedule: service.retention.schedule, days: service.retention.days, pluginNames: () => isolates.pluginNames(), logger });

    const decisions = new DecisionMaker(() => isolates.list(), service.decisions, logger, metrics.decisions);
    const ingest = new Ingest(store, isolates, service.ingest, logger, metrics.onAccepted, decisions);
    const reports = new StoreBackedReports({ store, dir: path.join(service.dataDir, 'reports'), logger: logger.child({ component: 'reports' }) });
    let accepting = true;
    const app = createApp({
      logger,
      proxy: service.http.proxy,
      outer: [callbackMetrics(metrics)],
      routers: [
        callbackRouter({ ingest, auth: service.auth, bodyLimitBytes: service.http.bodyLimitBytes, bodyTimeoutMs: service.http.bodyTimeoutMs, maxBodyBytesInFlight: service.ingest.maxBodyBytesInFlight, isAccepting: () => accepting }),
        healthRouter(serviceReadiness({ isAccepting: () => accepting, pluginsReady: () => isolates.notReady(), store, pingTimeoutMs: 2000 })),
        metricsRouter({ metrics, adminToken: service.auth.adminToken }),
        loginRouter({ adminToken: service.auth.adminToken }),
        reportsRouter({ reports, adminToken: service.auth.adminToken }),
      ],
    });

    const handler = app.callback();
    // requireHostHeader: Node answered a request without Host with a bare 400 and no words; livehook does not need it.
    // Once stopping, every answer closes its connection (./http/stop-server.ts).
    const server = http.createServer({ connectionsCheckingInterval: TIMEOUT_CHECK_MS, requireHostHeader: false, ServerResponse: responseClosingWhen(() => !accepting) }, handler);
    deferContinue(server, handler); // the 100 goes out only once /callback has checked the caller
    answerClientErrors(server, service.http.bodyTimeoutMs);
    server.keepAliveTimeout = 65_000; // longer than common load balancers' idle time-outs
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, service.host, service.port)));
      server.listen(service.port, service.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    closers.push(() => {
      accepting = false;
      return stopServer(server, graceLeft());
    });
    const { port, address } = server.address() as AddressInfo;
    // The line says where it really listens (0.0.0.0 is every interface, not only this machine);
    // `url` is where this machine reaches it.
    const bound = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    const url = address === '0.0.0.0' || address === '::' ? `http://127.0.0.1:${port}` : bound;
    logger.info({ address, port, dataDir: service.dataDir, store: store.engine, plugins: isolates.pluginNames() }, `livehook listening on ${bound}`);
    for (const warning of openAccessWarnings(service.auth)) logger.warn(warning);
    logMailSetup(service.mail, service.dataDir, logger.child({ component: 'mailer' }));

    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      config,
      store,
      isolates,
      ingest,
      reloader,
      logger,
      close: () => {
        closing ??= closeAll().then(() => logger.info('livehook stopped'));
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
