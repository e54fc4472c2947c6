/** `livehook plugins`: every plugin found or configured, whether it runs, and why. */
import { loadConfig } from '../config/load-config';
import { planPlugins } from '../pipeline/plan-plugins';
import { println, type CliIo } from './io';

export function listPlugins(io: CliIo): number {
  const config = loadConfig({ env: io.env });
  const plans = planPlugins(config);
  println(io.stdout, `plugins in ${config.service.plugins.dir}:`);
  if (plans.length === 0) println(io.stdout, '  (none found)');
  for (const plan of plans) {
    if (plan.state === 'enabled') {
      const commands = plan.manifest.commands === '*' ? 'every command' : plan.manifest.commands.join(', ');
      const caps = plan.manifest.capabilities?.length ? plan.manifest.capabilities.join(', ') : 'none';
      println(io.stdout, `  ${plan.name} ${plan.manifest.version}  enabled  (commands: ${commands}; capabilities: ${caps})`);
    } else if (plan.state === 'disabled') {
      println(io.stdout, `  ${plan.name}  disabled: ${plan.reason}`);
    } else {
      println(io.stdout, `  ${plan.name}  error: ${plan.reason}`);
    }
  }
  return plans.some((p) => p.state === 'error') ? 1 : 0;
}
