/** `livehook config check`: everything start-up validates, without starting. */
import { loadConfig } from '../config/load-config';
import { openAccessWarnings } from '../http/open-access';
import { planPlugins } from '../pipeline/plan-plugins';
import { println, type CliIo } from './io';

export function configCheck(io: CliIo): number {
  const config = loadConfig({ env: io.env });
  const plans = planPlugins(config);
  const errors = plans.filter((p) => p.state === 'error');
  for (const plan of errors) if (plan.state === 'error') println(io.stderr, plan.reason);
  if (errors.length > 0) return 1;
  const enabled = plans.filter((p) => p.state === 'enabled').map((p) => p.name);
  println(io.stdout, `config OK: ${config.configDir} (plugins enabled: ${enabled.join(', ') || 'none'})`);
  // Valid, but not fit for production: said here as the service says it at start.
  for (const warning of openAccessWarnings(config.service.auth)) println(io.stdout, `warning: ${warning}`);
  return 0;
}
