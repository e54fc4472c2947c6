/** `livehook config check`: everything start-up validates, without starting. */
import { loadConfig } from '../config/load-config';
import { openAccessWarnings } from '../http/open-access';
import { checkPlugins } from '../isolate/check-plugins';
import { createLogger } from '../log/logger';
import { planPlugins, type EnabledPlan } from '../pipeline/plan-plugins';
import { println, type CliIo } from './io';

export async function configCheck(io: CliIo): Promise<number> {
  const config = loadConfig({ env: io.env });
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
  const checks = await checkPlugins(enabled, { service: config.service, logger: createLogger('warn'), logTo: 'stderr' });
  for (const check of checks.values()) {
    if (!check.ok) {
      println(io.stderr, check.reason);
      failed++;
    }
  }
  if (failed > 0) return 1;
  println(io.stdout, `config OK: ${config.configDir} (plugins enabled: ${enabled.map((p) => p.name).join(', ') || 'none'})`);
  // Valid, but not fit for production: said here as the service says it at start.
  for (const warning of openAccessWarnings(config.service.auth)) println(io.stdout, `warning: ${warning}`);
  for (const plan of plans) if (plan.state === 'skipped') println(io.stdout, `warning: plugin "${plan.name}": ${plan.reason}`);
  return 0;
}
