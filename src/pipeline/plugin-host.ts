/**
 * Brings the enabled plugins to life in config order (child container,
 * handler resolved through tsyringe, init) and closes them in reverse order.
 * Any plugin that cannot start stops the whole start, naming the plugin:
 * running with half the pipeline silently missing is worse than not running.
 */
import type { Logger } from 'pino';
import type { ServiceConfig, RetryPolicy } from '../config/service-config';
import { LivehookError, describeError } from '../errors';
import { buildPluginScope, type PluginScope, type SharedCapabilities } from './capabilities';
import type { PluginPlan } from './plan-plugins';
import type { PluginHandler, PluginManifest } from './plugin-contract';

export interface ActivePlugin {
  name: string;
  manifest: PluginManifest;
  handler: PluginHandler;
  /** null = every command, unknown ones included. */
  commands: ReadonlySet<string> | null;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Deliveries that may run at once. */
  concurrency: number;
  /** What the plugin was started with; a reload restarts it when this changes. */
  fingerprint: string;
}

type EnabledPlan = Extract<PluginPlan, { state: 'enabled' }>;

/** Everything in a plan that a running plugin depends on. */
export function fingerprint(plan: EnabledPlan): string {
  const { file: _file, ...settings } = plan.settings;
  return JSON.stringify({ settings, options: plan.options, version: plan.manifest.version });
}

export class PluginHost {
  private readonly scopes = new Map<string, PluginScope>();
  private constructor(
    readonly plugins: ActivePlugin[],
    private readonly shared: SharedCapabilities,
    private readonly service: ServiceConfig,
    private readonly logger: Logger,
  ) {}

  static async start(plans: PluginPlan[], shared: SharedCapabilities, service: ServiceConfig, logger: Logger): Promise<PluginHost> {
    const failed = plans.find((p) => p.state === 'error');
    if (failed && failed.state === 'error') throw failed.error;

    const host = new PluginHost([], shared, service, logger);
    try {
      for (const plan of plans) if (plan.state === 'enabled') await host.startPlugin(plan);
    } catch (err) {
      await host.close();
      throw err;
    }
    return host;
  }

  /** Builds, resolves and initialises one plugin, appended to the running set. */
  async startPlugin(plan: EnabledPlan): Promise<ActivePlugin> {
    const scope = buildPluginScope(plan.manifest, plan.options, this.shared);
    this.scopes.set(plan.name, scope);
    try {
      const handler = resolveHandler(plan.manifest, scope);
      await runHook(plan.name, 'init', () => handler.init?.());
      const active: ActivePlugin = {
        name: plan.name,
        manifest: plan.manifest,
        handler,
        commands: plan.manifest.commands === '*' ? null : new Set(plan.manifest.commands),
        timeoutMs: plan.settings.timeoutMs ?? this.service.delivery.timeoutMs,
        retry: { ...this.service.delivery.retry, ...plan.settings.retry },
        concurrency: plan.settings.concurrency ?? plan.manifest.concurrency ?? 1,
        fingerprint: fingerprint(plan),
      };
      this.plugins.push(active);
      this.logger.info({ plugin: plan.name, version: plan.manifest.version, commands: plan.manifest.commands }, 'plugin started');
      return active;
    } catch (err) {
      scope.dispose();
      this.scopes.delete(plan.name);
      throw err;
    }
  }

  /** Closes one plugin and forgets it (its cursor stays in the store). */
  async stopPlugin(name: string): Promise<void> {
    const index = this.plugins.findIndex((p) => p.name === name);
    if (index === -1) return;
    const [plugin] = this.plugins.splice(index, 1);
    try {
      await runHook(plugin.name, 'close', () => plugin.handler.close?.());
    } catch (err) {
      this.logger.error({ plugin: plugin.name, err }, 'plugin failed to close');
    }
    this.scopes.get(name)?.dispose();
    this.scopes.delete(name);
    this.logger.info({ plugin: name }, 'plugin stopped');
  }

  /** Puts the running plugins in this order (names not listed keep their place at the end). */
  reorder(names: readonly string[]): void {
    const rank = (n: string): number => (names.includes(n) ? names.indexOf(n) : names.length);
    this.plugins.sort((a, b) => rank(a.name) - rank(b.name));
  }

  get(name: string): ActivePlugin | undefined {
    return this.plugins.find((p) => p.name === name);
  }

  async runTask(pluginName: string, task: string, args: Record<string, string>): Promise<string | void> {
    const plugin = this.get(pluginName);
    if (!plugin) throw new LivehookError('USAGE', `plugin "${pluginName}" is not enabled, so it cannot run task "${task}" (see \`livehook plugins\`)`);
    if (!(plugin.manifest.tasks ?? []).includes(task) || !plugin.handler.runTask) {
      throw new LivehookError('USAGE', `plugin "${pluginName}" offers no task "${task}"`);
    }
    return runHook(pluginName, `task ${task}`, () => plugin.handler.runTask!(task, args));
  }

  /** Reverse order; one plugin failing to close does not keep the others open. */
  async close(): Promise<void> {
    for (const plugin of [...this.plugins].reverse()) {
      try {
        await runHook(plugin.name, 'close', () => plugin.handler.close?.());
      } catch (err) {
        this.logger.error({ plugin: plugin.name, err }, 'plugin failed to close');
      }
    }
    for (const scope of [...this.scopes.values()].reverse()) scope.dispose();
    this.plugins.length = 0;
    this.scopes.clear();
  }
}

function resolveHandler(manifest: PluginManifest, scope: PluginScope): PluginHandler {
  try {
    const handler = scope.container.resolve(manifest.handler as unknown as new () => PluginHandler);
    if (typeof handler.handle !== 'function') throw new Error('the handler class has no handle(event, delivery) method');
    return handler;
  } catch (err) {
    const message = describeError(err);
    const token = /unregistered dependency token: "?'?([^"'\s]+)/i.exec(message)?.[1];
    if (token) {
      throw new LivehookError('PLUGIN_CAPABILITY_DENIED', `plugin "${manifest.name}": its handler needs "${token}", which it was not given: list "${token}" in the manifest's capabilities and grant it in config`, { plugin: manifest.name, capability: token }, { cause: err });
    }
    throw new LivehookError('PLUGIN_INVALID', `plugin "${manifest.name}": its handler could not be created: ${message}`, { plugin: manifest.name }, { cause: err });
  }
}

/** Every plugin error carries the plugin's name and the hook that failed (as Rollup does). */
async function runHook<T>(plugin: string, hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LivehookError && err.details.plugin === plugin) throw err;
    throw new LivehookError('PLUGIN_FAILED', `plugin "${plugin}" failed in ${hook}: ${describeError(err)}`, { plugin, hook }, { cause: err });
  }
}
