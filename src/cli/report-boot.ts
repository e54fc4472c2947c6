/**
 * Gives `livehook report` the plugins without the HTTP server: config, store
 * and plugin host, so a report can be rebuilt whether or not the service runs.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { loadConfig } from '../config/load-config';
import { createLogger } from '../log/logger';
import { SharedCapabilities } from '../pipeline/capabilities';
import { planPlugins } from '../pipeline/plan-plugins';
import { PluginHost } from '../pipeline/plugin-host';
import { openStore } from '../store/open-store';
import type { CliIo } from './io';
import { runReportCommand } from './report';

export function reportCommand(argv: string[], io: CliIo): Promise<number> {
  return runReportCommand(argv, io, async () => {
    const config = loadConfig({ env: io.env });
    const logger = createLogger(config.service.log.level === 'info' ? 'warn' : config.service.log.level);
    const store = await openStore({ dataDir: config.service.dataDir, databaseUrl: config.service.store.databaseUrl, synchronous: config.service.store.synchronous, logger });
    const shared = new SharedCapabilities(config.service, store, logger, `${os.hostname()}:${process.pid}:cli-${crypto.randomBytes(3).toString('hex')}`);
    let host: PluginHost;
    try {
      host = await PluginHost.start(planPlugins(config), shared, config.service, logger);
    } catch (err) {
      shared.close();
      await store.close();
      throw err;
    }
    return {
      runTask: (plugin, task, args) => host.runTask(plugin, task, args),
      close: async () => {
        await host.close();
        shared.close();
        await store.close();
      },
    };
  });
}
