/** `livehook config check`: everything start-up validates, without starting. */
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_FILE } from '../config/load-config';
import { openAccessWarnings } from '../http/open-access';
import { mailWarnings } from '../mail/mail-setup';
import { checkPlugins } from '../isolate/check-plugins';
import { logDestinationOf } from '../isolate/log-bridge';
import { createLogger } from '../log/logger';
import { planPlugins, type EnabledPlan } from '../pipeline/plan-plugins';
import { loadCliConfig } from './cli-config';
import { println, type CliIo } from './io';
import { parseCommand } from './parse-command';

export const CONFIG_CHECK_USAGE = `usage: livehook config check

Validates config/livehook.json, config/plugins/*.json and the environment
variables, and prepares each enabled plugin as the start would (its options,
grants, handler and check), without listening or writing. Exits 0 with
"config OK", or 1 with each problem on stderr.`;

export async function configCheck(argv: string[], io: CliIo): Promise<number> {
  if (parseCommand({ name: 'config check', usage: CONFIG_CHECK_USAGE, options: {} }, argv).help) {
    println(io.stdout, CONFIG_CHECK_USAGE);
    return 0;
  }
  const config = loadCliConfig(io);
  const plans = planPlugins(config);
  let failed = 0;
  for (const plan of plans) {
    if (plan.state === 'error') {
      println(io.stderr, plan.reason);
      failed++;
    }
  }
  // Each enabled plugin as the start prepares it: module, options, grants, handler, its check().
  const enabled = plans.filter((p): p is EnabledPlan => p.state === 'enabled');
  const logger = createLogger('warn', io.stderr);
  // On a terminal the lines go through this process's pretty printer, not straight to fd 2 as JSON.
  const checks = await checkPlugins(enabled, { service: config.service, logger, logTo: logDestinationOf(logger) });
  for (const check of checks.values()) {
    if (!check.ok) {
      println(io.stderr, check.reason);
      failed++;
    }
  }
  if (failed > 0) return 1;
  println(io.stdout, `config OK: ${config.configDir} (plugins enabled: ${enabled.map((p) => p.name).join(', ') || 'none'})`);
  // Valid, but not fit for production: said here as the service says it at start.
  for (const warning of [...openAccessWarnings(config.service.auth), ...mailWarnings(config.service.mail)]) println(io.stdout, `warning: ${warning}`);
  for (const plan of plans) if (plan.state === 'skipped') println(io.stdout, `warning: plugin "${plan.name}": ${plan.reason}`);
  if (!fs.existsSync(path.join(config.configDir, SERVICE_FILE))) {
    println(io.stdout, `warning: there is no ${SERVICE_FILE} in ${config.configDir}: every service setting is its default or its environment variable`);
  }
  return 0;
}
