import type { Logger } from '../log/logger';
import { type EnabledPlan, type PluginPlan } from './plan-plugins';

/**
 * The plans that run; the first plan in error is thrown (it names its file and plugin).
 * Entries of the plugins dir skipped as unreadable are warned about, naming each.
 */
export function enabledPlans(plans: readonly PluginPlan[], logger?: Logger): EnabledPlan[] {
  for (const plan of plans) if (plan.state === 'skipped') logger?.warn({ plugin: plan.name }, `plugin "${plan.name}": ${plan.reason}`);
  const failed = plans.find((p) => p.state === 'error');
  if (failed && failed.state === 'error') throw failed.error;
  return plans.filter((p): p is EnabledPlan => p.state === 'enabled');
}
