/**
 * `livehook plugins`: every plugin found or configured, whether it runs, and
 * why. Each enabled plugin is prepared in a check isolate (as the start
 * would), and the state the running instances recorded in the store is shown
 * beside it (failed, restarting...).
 */
import type { LoadedConfig } from '../config/load-config';
import { checkPlugins } from '../isolate/check-plugins';
import { logDestinationOf } from '../isolate/log-bridge';
import { readPluginStatuses, type PluginStatus } from '../isolate/plugin-status';
import { createLogger } from '../log/logger';
import { planPlugins, type EnabledPlan } from '../pipeline/plan-plugins';
import { loadCliConfig } from './cli-config';
import { missingSqliteFile, openConfiguredStore } from './configured-store';
import { println, type CliIo } from './io';
import { parseCommand } from './parse-command';

export const PLUGINS_USAGE = `usage: livehook plugins

Lists every plugin found in the plugins folder or named in config/plugins/,
enabled or not and why. Each enabled plugin is prepared as the start would
(options, grants, handler, its check), and what running instances recorded
(failed, restarting) is shown beside it. Exits 1 when a plugin is in error.`;

export async function listPlugins(argv: string[], io: CliIo): Promise<number> {
  if (parseCommand({ name: 'plugins', usage: PLUGINS_USAGE, options: {} }, argv).help) {
    println(io.stdout, PLUGINS_USAGE);
    return 0;
  }
  const config = loadCliConfig(io);
  const plans = planPlugins(config);
  const logger = createLogger('warn', io.stderr);
  const checks = await checkPlugins(plans.filter((p): p is EnabledPlan => p.state === 'enabled'), { service: config.service, logger, logTo: logDestinationOf(logger) });
  const statuses = await runningStates(config, logger);
  println(io.stdout, `plugins in ${config.service.plugins.dir}:`);
  if (plans.length === 0) println(io.stdout, '  (none found)');
  let errors = 0;
  for (const plan of plans) {
    if (plan.state === 'enabled') {
      const check = checks.get(plan.name)!;
      if (!check.ok) {
        errors++;
        println(io.stdout, `  ${plan.name}  error: ${check.reason}`);
        continue;
      }
      const { facts } = check;
      const commands = facts.commands === '*' ? 'every command' : facts.commands.join(', ');
      // What its config grants (a superset of what the manifest asks for, or the check above failed).
      const granted = plan.settings.capabilities.length ? plan.settings.capabilities.join(', ') : 'nothing';
      println(io.stdout, `  ${plan.name} ${facts.version}  enabled  (commands: ${commands}; granted: ${granted}; isolation: ${plan.settings.isolation})`);
      for (const status of statuses.filter((s) => s.plugin === plan.name && s.state !== 'running')) {
        if (status.state === 'failed') errors++;
        println(io.stdout, `    ${status.state} on ${status.instance} since ${new Date(status.since).toISOString()}${status.reason ? `: ${status.reason}` : ''}`);
      }
    } else if (plan.state === 'disabled') {
      println(io.stdout, `  ${plan.name}  disabled: ${plan.reason}`);
    } else if (plan.state === 'skipped') {
      println(io.stdout, `  ${plan.name}  skipped: ${plan.reason}`);
    } else {
      errors++;
      println(io.stdout, `  ${plan.name}  error: ${plan.reason}`);
    }
  }
  return errors > 0 ? 1 : 0;
}

/** What running instances recorded; nothing when the store cannot be opened (then only the check speaks). */
async function runningStates(config: LoadedConfig, logger: ReturnType<typeof createLogger>): Promise<PluginStatus[]> {
  // No SQLite file yet: nothing ran here, and a look must not create one (and its data dir).
  if (missingSqliteFile(config)) return [];
  try {
    const store = await openConfiguredStore(config, logger);
    try {
      return await readPluginStatuses(store);
    } finally {
      await store.close();
    }
  } catch {
    return [];
  }
}
