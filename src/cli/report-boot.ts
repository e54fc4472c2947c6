/**
 * Gives `livehook report` the stats-rollup plugin without the HTTP server:
 * config, store, and the plugin in an isolate of its own (task mode: init,
 * then the tasks asked for, no deliveries), so a report can be rebuilt
 * whether or not the service runs. Only that plugin starts: the others have
 * nothing to do with reports (and nothing to warn about here).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { LivehookError } from '../errors';
import { logDestinationOf } from '../isolate/log-bridge';
import { PluginIsolate } from '../isolate/plugin-isolate';
import { LogHead } from '../isolate/shared-state';
import { createLogger } from '../log/logger';
import { planPlugins } from '../pipeline/plan-plugins';
import { loadCliConfig } from './cli-config';
import { openConfiguredStore, refuseMissingStore } from './configured-store';
import type { CliIo } from './io';
import { runReportCommand } from './report';

const PLUGIN = 'stats-rollup';
const quiet = { attempt: () => undefined, mail: () => undefined, cronRunDone: () => undefined, restarted: () => undefined, stateChanged: () => undefined };

export function reportCommand(argv: string[], io: CliIo): Promise<number> {
  return runReportCommand(argv, io, async (request) => {
    // --timezone stands for LIVEHOOK_TIMEZONE in this run: the whole config (and the plugin) sees that zone.
    const config = loadCliConfig(io, request.timezone);
    const plan = planPlugins(config).find((p) => p.name === PLUGIN);
    if (!plan || plan.state !== 'enabled') {
      throw new LivehookError('USAGE', `plugin "${PLUGIN}" is not enabled${plan ? ` (${plan.reason})` : ''}, so no report can be built (see \`livehook plugins\`)`);
    }
    const logger = createLogger(config.service.log.level === 'info' ? 'warn' : config.service.log.level, io.stderr);
    // Another shell's environment would build empty reports in a new, empty store.
    refuseMissingStore(config);
    const store = await openConfiguredStore(config, logger);
    const isolate = new PluginIsolate(plan, 'task', {
      service: config.service,
      store,
      head: LogHead.create(),
      logger,
      logTo: logDestinationOf(logger),
      instanceId: `${os.hostname()}:${process.pid}:cli-${crypto.randomBytes(3).toString('hex')}`,
      useLeases: false,
      observers: quiet,
    });
    try {
      await isolate.start();
    } catch (err) {
      await store.close();
      throw err;
    }
    return {
      runTask: (plugin, task, args) => {
        if (plugin !== PLUGIN) throw new LivehookError('USAGE', `only the ${PLUGIN} plugin runs here`);
        return isolate.runTask(task, args);
      },
      close: async () => {
        await isolate.stop(config.service.delivery.shutdownGraceMs);
        await store.close();
      },
    };
  });
}
