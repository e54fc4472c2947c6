/**
 * One plugin brought to life in this thread: its container built, its
 * handler resolved through tsyringe, its hooks called with errors that name
 * the plugin and the hook (as Rollup does).
 */
import type { CallbackEvent } from '../../callbacks/event';
import { LivehookError, describeError } from '../../errors';
import type { Delivery, PluginHandler, PluginManifest } from '../../pipeline/plugin-contract';
import type { DecideContext } from '../../decide/decision';
import { plainFailure, readSafely } from './plain-failure';
import type { PluginScope } from './plugin-scope';
import type { PreparedPlugin } from './prepare-plugin';

/** What the delivery loop and the isolate's host call, wherever the plugin's code runs (this thread, or a child process). */
export interface PluginInstance {
  init(): Promise<void>;
  /** Resolves when the plugin can take a call at once (a process-isolated one may be starting its child again). */
  untilReady?(): Promise<unknown>;
  handle(event: CallbackEvent, delivery: Delivery): Promise<void> | void;
  /** The plugin's answer to a before-callback, unchecked (see checkDecision). */
  decide(event: CallbackEvent, ctx: DecideContext): Promise<unknown>;
  runTask(task: string, args: Record<string, string>): Promise<string | void>;
  /**
   * At a stop: no new cron run, the close hook, the cron runs in progress
   * waited for up to `settleMs` (so that they end with the store still open),
   * then dispose().
   */
  close(settleMs?: number): Promise<void>;
  /** Releases what was made for the plugin without calling its hooks (it was never initialised). */
  dispose(): Promise<void>;
}

export class LocalPlugin implements PluginInstance {
  private constructor(
    private readonly manifest: PluginManifest,
    private readonly handler: PluginHandler,
    private readonly scope: PluginScope,
  ) {}

  /**
   * Resolves the handler from the plugin's container (see plugin-scope.ts, or
   * ../process/remote-scope.ts in a child process) and runs the manifest's
   * `check`. The scope is disposed if that fails.
   */
  static async create(prepared: PreparedPlugin, scope: PluginScope): Promise<LocalPlugin> {
    try {
      const handler = resolveHandler(prepared.manifest, scope);
      if ((prepared.manifest.decides ?? []).length > 0 && typeof handler.decide !== 'function') {
        throw new LivehookError('PLUGIN_INVALID', `plugin "${prepared.manifest.name}": its manifest lists commands in "decides" but its handler has no decide(event, ctx) method`, { plugin: prepared.manifest.name, hook: 'constructor' });
      }
      const check = prepared.manifest.check as ((options: unknown, context: unknown) => unknown) | undefined;
      if (check) await runHook(prepared.manifest.name, 'check', () => check.call(prepared.manifest, prepared.options, scope.checkContext));
      return new LocalPlugin(prepared.manifest, handler, scope);
    } catch (err) {
      scope.dispose();
      throw err;
    }
  }

  init(): Promise<void> {
    return runHook(this.manifest.name, 'init', () => this.handler.init?.());
  }

  handle(event: CallbackEvent, delivery: Delivery): Promise<void> | void {
    return this.handler.handle(event, delivery);
  }

  decide(event: CallbackEvent, ctx: DecideContext): Promise<unknown> {
    return runHook(this.manifest.name, 'decide', () => this.handler.decide!(event, ctx));
  }

  async runTask(task: string, args: Record<string, string>): Promise<string | void> {
    if (!(this.manifest.tasks ?? []).includes(task) || !this.handler.runTask) {
      throw new LivehookError('USAGE', `plugin "${this.manifest.name}" offers no task "${task}"`);
    }
    return runHook(this.manifest.name, `task ${task}`, () => this.handler.runTask!(task, args));
  }

  async close(settleMs = 0): Promise<void> {
    this.scope.stopJobs();
    try {
      await runHook(this.manifest.name, 'close', () => this.handler.close?.());
      await this.scope.settled(settleMs);
    } finally {
      this.scope.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.scope.dispose();
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
      throw new LivehookError(
        'PLUGIN_CAPABILITY_DENIED',
        `plugin "${manifest.name}": its handler needs "${token}", which it was not given: list "${token}" in the manifest's capabilities and grant it in config`,
        { plugin: manifest.name, capability: token, hook: 'constructor' },
        { cause: err },
      );
    }
    // tsyringe's words for a class it has no constructor types for: it was not decorated.
    const undecorated = /TypeInfo not known for "?([^"\s]+)"?/.exec(message)?.[1];
    const hint = undecorated
      ? `its handler class ${undecorated} has constructor parameters but no @injectable(): add @injectable() (from tsyringe) above the class, and @inject('options'), @inject('logger')... before each parameter`
      : `its handler could not be created: ${message}`;
    throw new LivehookError('PLUGIN_INVALID', `plugin "${manifest.name}": ${hint}`, { plugin: manifest.name, hook: 'constructor' }, { cause: err });
  }
}

/** Every plugin error carries the plugin's name and the hook that failed. */
export async function runHook<T>(plugin: string, hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (thrown) {
    if (readSafely(() => thrown instanceof LivehookError && thrown.details.plugin === plugin, false)) throw thrown;
    const err = plainFailure(thrown);
    throw new LivehookError('PLUGIN_FAILED', `plugin "${plugin}" failed in ${hook}: ${err.message}`, { plugin, hook }, { cause: err });
  }
}
