/**
 * Runs everything the start runs for a plugin short of delivering: in an
 * isolate of its own, load the module, validate its options, check its
 * grants, build its container (the capabilities that need the store are
 * inert), resolve its handler and run its `check`. Used by `livehook config
 * check`, `livehook plugins` and a config reload, so that "OK" means the
 * plugin will start.
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config';
import { describeError } from '../errors';
import type { EnabledPlan } from '../pipeline/plan-plugins';
import type { PluginFacts } from './inside/prepare-plugin';
import { PluginIsolate } from './plugin-isolate';
import { LogHead } from './shared-state';

export type CheckResult = { ok: true; facts: PluginFacts } | { ok: false; error: Error; reason: string };

const quiet = { attempt: () => undefined, mail: () => undefined, cronRunDone: () => undefined, restarted: () => undefined, stateChanged: () => undefined };

/** Checks each plan in its own isolate, all at once. */
export async function checkPlugins(plans: readonly EnabledPlan[], deps: { service: ServiceConfig; logger: Logger; logTo: 'stderr' | 'parent' }): Promise<Map<string, CheckResult>> {
  const head = LogHead.create();
  const results = await Promise.all(
    plans.map(async (plan): Promise<[string, CheckResult]> => {
      const isolate = new PluginIsolate(plan, 'check', { ...deps, store: null, head, instanceId: 'check', useLeases: false, observers: quiet });
      try {
        await isolate.start();
        return [plan.name, { ok: true, facts: isolate.facts! }];
      } catch (err) {
        return [plan.name, { ok: false, error: err as Error, reason: describeError(err) }];
      }
    }),
  );
  return new Map(results);
}
