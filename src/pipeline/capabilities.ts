/**
 * Builds each plugin's child container: the always-given values (options,
 * context, logger) and exactly the capabilities its manifest asked for and
 * its config granted. A token not registered here cannot be injected, and the
 * resolve error says which plugin wanted what.
 */
import fs from 'node:fs';
import path from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config';
import { createMailer, type MailerDeps } from '../mail/create-mailer';
import { StoreBackedReports } from '../reports/store-backed-reports';
import { CronScheduler, type CronSchedulerDeps } from '../scheduler/cron-scheduler';
import type { Store } from '../store/store';
import type { Mailer } from './capability-types';
import { TOKENS, type PluginContext, type PluginManifest } from './plugin-contract';

/** Resources shared by all plugins of one service, created on first use and closed once. */
export class SharedCapabilities {
  private mailer: (Mailer & { close(): void }) | null = null;
  private reports: StoreBackedReports | null = null;

  constructor(
    readonly service: ServiceConfig,
    readonly store: Store,
    readonly logger: Logger,
    /** Identifies this process among instances sharing a database (leases, claims). */
    readonly instanceId: string,
    /** Told what the capabilities do (metrics): mails sent or failed, cron runs done. */
    readonly observers: { mail?: MailerDeps['onSend']; cronRunDone?: CronSchedulerDeps['onRunDone'] } = {},
  ) {}

  getMailer(): Mailer {
    this.mailer ??= createMailer(this.service.mail, { dataDir: this.service.dataDir, logger: this.logger.child({ component: 'mailer' }), onSend: this.observers.mail });
    return this.mailer;
  }

  getReports(): StoreBackedReports {
    // In the store so every instance serves every report; <data dir>/reports keeps the local copy.
    this.reports ??= new StoreBackedReports({ store: this.store, dir: path.join(this.service.dataDir, 'reports'), logger: this.logger.child({ component: 'reports' }) });
    return this.reports;
  }

  close(): void {
    this.mailer?.close();
    this.mailer = null;
  }
}

export interface PluginScope {
  container: DependencyContainer;
  /** Stops what was made for this plugin alone (its cron jobs). */
  dispose(): void;
}

export function buildPluginScope(manifest: PluginManifest, options: Record<string, unknown>, shared: SharedCapabilities): PluginScope {
  const scope = rootContainer.createChildContainer();
  const logger = shared.logger.child({ plugin: manifest.name });
  const dataDir = path.join(shared.service.dataDir, 'plugins', manifest.name);
  const context: PluginContext = {
    name: manifest.name,
    version: manifest.version,
    timezone: shared.service.timezone,
    get dataDir() {
      fs.mkdirSync(dataDir, { recursive: true });
      return dataDir;
    },
    serviceDataDir: shared.service.dataDir,
  };
  scope.register(TOKENS.options, { useValue: options });
  scope.register(TOKENS.context, { useValue: context });
  scope.register(TOKENS.logger, { useValue: logger });

  const disposers: Array<() => void> = [];
  for (const capability of manifest.capabilities ?? []) {
    switch (capability) {
      case 'mailer':
        scope.register(TOKENS.mailer, { useValue: shared.getMailer() });
        break;
      case 'store':
        scope.register(TOKENS.store, { useValue: shared.store.records(manifest.name) });
        break;
      case 'reports':
        scope.register(TOKENS.reports, { useValue: shared.getReports() });
        break;
      case 'http':
        scope.register(TOKENS.http, { useValue: fetch });
        break;
      case 'scheduler': {
        const scheduler = new CronScheduler({ store: shared.store, owner: shared.instanceId, namespace: manifest.name, timezone: shared.service.timezone, logger, onRunDone: shared.observers.cronRunDone });
        scope.register(TOKENS.scheduler, { useValue: scheduler });
        disposers.push(() => scheduler.stop());
        break;
      }
      default:
        break; // logger, options, context: registered above for everyone
    }
  }
  return {
    container: scope,
    dispose: () => {
      for (const dispose of disposers) dispose();
    },
  };
}
