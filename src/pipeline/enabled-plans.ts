import { type EnabledPlan, type PluginPlan } from './plan-plugins';

/** The plans that run; the first plan in error is thrown (it names its file and plugin). */
export function enabledPlans(plans: readonly PluginPlan[]): EnabledPlan[] {
  const failed = plans.find((p) => p.state === 'error');
  if (failed && failed.state === 'error') throw failed.error;
  return plans.filter((p): p is EnabledPlan => p.state === 'enabled');
}
