/**
 * The plugin's child container, built inside its isolate: the always-given
 * values (options, context, logger) and exactly the capabilities its
 * manifest asked for and its config granted. A token not registered here
 * cannot be injected, and the resolve error names the plugin and the token.
 *
 * The capabilities are made here, in the isolate, on the isolate's own
 * store connection: a plugin's mail, records, cron jobs and reports never
 * pass through the thread that answers Tencent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { Mailer } from '../../pipeline/capability-types';
import { TOKENS, type CheckContext, type PluginContext } from '../../pipeline/plugin-contract';
import { StoreBackedReports } from '../../reports/store-backed-reports';
import type { Store } from '../../store/store';
import type { IsolateSpec } from '../protocol';
import type { PreparedPlugin } from './prepare-plugin';
import { inertCapability } from './inert-capability';
import { CronScheduler } from '../../scheduler/cron-scheduler';
import { waitAtMost } from '../../util/wait-at-most';

/** Where the isolate's capabilities report what they did (metrics on the ingest thread). */
export interface CapabilityObservers {
  mail(transport: Mailer['transport'], outcome: 'sent' | 'failed'): void;
  cronRunDone(job: string, finishedAt: number): void;
}

export interface PluginScope {
  container: DependencyContainer;
  context: PluginContext;
  /** What the manifest's `check` is told. */
  checkContext: CheckContext;
  /** Starts no more cron runs (at a stop, before the plugin's close hook); the runs in progress go on. */
  stopJobs(): void;
  /** Resolves once the cron runs in progress have ended, or after `ms`. */
  settled(ms: number): Promise<void>;
  /** Stops what was made for this plugin (its cron jobs, its SMTP connections). */
  dispose(): void;
}

/** The global fetch, kept before the isolate hides it from plugin code without the "net" grant. */
export const platformFetch: typeof fetch = globalThis.fetch;

export function pluginContext(spec: IsolateSpec, prepared: PreparedPlugin): PluginContext {
  const dataDir = pluginDataDir(spec);
  return {
    name: prepared.manifest.name,
    version: prepared.manifest.version,
    timezone: spec.service.timezone,
    get dataDir() {
      fs.mkdirSync(dataDir, { recursive: true });
      return dataDir;
    },
    serviceDataDir: spec.service.dataDir,
    publicUrl: spec.service.publicUrl,
    isolation: spec.settings.isolation,
  };
}

export function checkContextOf(spec: IsolateSpec, context: PluginContext): CheckContext {
  const mail = spec.service.mail;
  // Not a spread: context.dataDir is a getter that creates the folder on first use.
  return Object.defineProperties(Object.create(context) as CheckContext, {
    mail: { value: { transport: mail.smtpUrl || mail.host ? 'smtp' : 'outbox', defaultTo: [...mail.alertTo] }, enumerable: true },
  });
}

/** <data dir>/plugins/<name>: the one folder a plugin may write to without the "fs" grant. */
export function pluginDataDir(spec: IsolateSpec): string {
  return path.join(spec.service.dataDir, 'plugins', spec.found.name);
}

/**
 * `store` null (config check): the capabilities that need the store are
 * inert stand-ins, so that the handler can be constructed (its constructor
 * must not do I/O) but nothing is read or written.
 */
export function buildPluginScope(spec: IsolateSpec, prepared: PreparedPlugin, store: Store | null, logger: Logger, observers: CapabilityObservers): PluginScope {
  const name = prepared.manifest.name;
  const scope = rootContainer.createChildContainer();
  const context = pluginContext(spec, prepared);
  scope.register(TOKENS.options, { useValue: prepared.options });
  scope.register(TOKENS.context, { useValue: context });
  scope.register(TOKENS.logger, { useValue: logger });

  const disposers: Array<() => void> = [];
  let jobs: CronScheduler | null = null;
  for (const capability of prepared.manifest.capabilities ?? []) {
    switch (capability) {
      case 'mailer': {
        const mailer = lazy.mailer().createMailer(spec.service.mail, { dataDir: spec.service.dataDir, logger: logger.child({ component: 'mailer' }), onSend: observers.mail, quiet: true });
        scope.register(TOKENS.mailer, { useValue: mailer });
        disposers.push(() => mailer.close());
        break;
      }
      case 'store':
        scope.register(TOKENS.store, { useValue: store ? store.records(name) : inertCapability(name, 'store') });
        break;
      case 'reports':
        scope.register(TOKENS.reports, {
          useValue: store ? new StoreBackedReports({ store, dir: path.join(spec.service.dataDir, 'reports'), logger: logger.child({ component: 'reports' }) }) : inertCapability(name, 'reports'),
        });
        break;
      case 'http':
        scope.register(TOKENS.http, { useValue: platformFetch });
        break;
      case 'scheduler': {
        if (!store) {
          scope.register(TOKENS.scheduler, { useValue: inertCapability(name, 'scheduler') });
          break;
        }
        const scheduler = new CronScheduler({ store, owner: spec.instanceId, namespace: name, timezone: spec.service.timezone, logger, onRunDone: (_plugin, job, at) => observers.cronRunDone(job, at), holdMs: spec.service.delivery.leaseMs });
        scope.register(TOKENS.scheduler, { useValue: scheduler });
        disposers.push(() => scheduler.stop());
        jobs = scheduler;
        break;
      }
      default:
        break; // logger, options, context: above for everyone; module grants inject nothing
    }
  }
  return {
    container: scope,
    context,
    checkContext: checkContextOf(spec, context),
    stopJobs: () => jobs?.stop(),
    settled: async (ms) => {
      if (jobs && ms > 0) await waitAtMost(jobs.idle(), ms);
    },
    dispose: () => {
      for (const dispose of disposers.splice(0)) dispose();
    },
  };
}

/**
 * The mailer's library is loaded only in the isolates granted it: nodemailer
 * alone takes about 150 ms to load, in every plugin's thread at every start.
 * (node-cron stays loaded up front: plugins import it to check their cron
 * options, and a module the service loaded first is not refused to them.)
 */
const lazy = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mailer: () => require('../../mail/create-mailer') as typeof import('../../mail/create-mailer'),
};
