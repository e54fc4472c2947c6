/**
 * Hot reload: applies changes to the plugin config files without a restart,
 * when a file in the config folder changes and on SIGHUP.
 *
 * A new config is checked whole first: the files as at start, and every
 * plugin to be started or restarted in a check isolate of its own (options,
 * grants, handler, its `check`: see src/isolate/check-plugins.ts). If
 * anything is wrong the reload is rejected with a log line saying why, and
 * the running config stays. Otherwise plugins switched on are started,
 * plugins switched off are stopped (their cursors stay, so switching one back
 * on resumes where it left off), plugins whose settings changed are restarted,
 * and plugins that had failed are tried again. A plugin that then fails in
 * init is shown as failed (readiness, metrics, `livehook plugins`) and the
 * reload says `applied: false` with the reason. Plugins start side by side,
 * and one still starting after START_WAIT_MS (an init waiting on a server
 * that does not answer) is left to finish in the background, listed as
 * `starting`: the reload, and the next one, do not wait out its
 * startTimeoutMs. Service settings (port, data
 * dir, store, auth...) need a restart; a reload that changes them says so and
 * applies the plugin part. Each isolate loads the plugin's code afresh, so a
 * restarted plugin runs its current code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { loadConfig, PLUGINS_SUBDIR, type LoadedConfig } from '../config/load-config';
import { describeError } from '../errors';
import { checkPlugins } from '../isolate/check-plugins';
import { logDestinationOf } from '../isolate/log-bridge';
import type { PluginIsolates } from '../isolate/plugin-isolates';
import { Serial } from '../util/serial';
import { enabledPlans } from './enabled-plans';
import { fingerprint, planPlugins, type EnabledPlan } from './plan-plugins';
import { waitAtMost } from '../util/wait-at-most';

/** How long a reload waits for the plugins it starts; one still starting goes on in the background. */
const START_WAIT_MS = 15_000;

export interface ReloadResult {
  /** False when the reload was rejected, or a plugin it (re)started failed. */
  applied: boolean;
  started: string[];
  stopped: string[];
  restarted: string[];
  /** Plugins that failed to start, and why. */
  failed: Array<{ plugin: string; reason: string }>;
  /** Plugins still starting when the reload ended: their outcome is logged when it comes. */
  starting: string[];
  /** Why it was rejected, when it was. */
  error?: string;
}

export interface ReloaderDeps {
  config: LoadedConfig;
  env: NodeJS.ProcessEnv | undefined;
  isolates: PluginIsolates;
  logger: Logger;
  graceMs: number;
  /** Coalesce bursts of file events (editors write in several steps). */
  debounceMs?: number;
}

export class ConfigReloader {
  private watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly reloads = new Serial();
  private current: LoadedConfig;
  /**
   * The service settings the process runs with: a reload cannot change them,
   * so a change is measured against these (a value put back is no change),
   * not against the file as the last reload read it.
   */
  private readonly runningService: LoadedConfig['service'];
  private readonly onSighup = (): void => void this.reload('SIGHUP');

  constructor(private readonly deps: ReloaderDeps) {
    this.current = deps.config;
    this.runningService = deps.config.service;
  }

  start(): void {
    for (const dir of [this.current.configDir, path.join(this.current.configDir, PLUGINS_SUBDIR)]) {
      if (!fs.existsSync(dir)) continue;
      const watcher = fs.watch(dir, () => this.schedule());
      watcher.on('error', (err) => this.deps.logger.warn({ err, dir }, 'config watch failed; SIGHUP still reloads'));
      this.watchers.push(watcher);
    }
    process.on('SIGHUP', this.onSighup);
  }

  stop(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    process.off('SIGHUP', this.onSighup);
  }

  /** Reloads now (serialized: one reload at a time, in order). */
  reload(reason: string): Promise<ReloadResult> {
    return this.reloads.run(() => this.apply(reason));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload('config file changed');
    }, this.deps.debounceMs ?? 200);
  }

  private async apply(reason: string): Promise<ReloadResult> {
    const { isolates, logger } = this.deps;
    const result: ReloadResult = { applied: false, started: [], stopped: [], restarted: [], failed: [], starting: [] };
    let next: LoadedConfig;
    let wanted: Map<string, EnabledPlan>;
    try {
      next = loadConfig({ env: this.deps.env, configDir: this.current.configDir });
      wanted = new Map(enabledPlans(planPlugins(next), logger).map((p) => [p.name, p]));
      await this.checkChanged(next, wanted, result.failed);
    } catch (err) {
      result.error = describeError(err);
      // The line a log search for `applied: false` finds, naming the plugins that failed their check.
      logger.error({ reason, applied: false, failed: result.failed, error: result.error }, `config reload rejected, the running config stays: ${result.error}`);
      return result;
    }

    const restartNeeded = serviceChanges(this.runningService, next.service);
    if (restartNeeded.length > 0) logger.warn({ keys: restartNeeded }, `config reload: ${restartNeeded.join(', ')} changed; these take effect at the next restart`);

    const restarting = new Set<string>();
    for (const running of [...isolates.list()]) {
      const plan = wanted.get(running.name);
      if (plan && fingerprint(plan) === fingerprint(running.plan) && running.state !== 'failed') continue;
      await isolates.remove(running.name, this.deps.graceMs);
      if (plan) restarting.add(running.name);
      else result.stopped.push(running.name);
    }
    const starts = [...wanted].filter(([name]) => !isolates.get(name)).map(([name, plan]) => {
      const outcome: { done: boolean; error?: unknown } = { done: false };
      const started = isolates.add(plan).then(
        () => void Object.assign(outcome, { done: true }),
        (err: unknown) => void Object.assign(outcome, { done: true, error: err }),
      );
      return { name, outcome, started };
    });
    await waitAtMost(Promise.all(starts.map((s) => s.started)), START_WAIT_MS);
    for (const { name, outcome, started } of starts) {
      const failed = (err: unknown): void => {
        // The config was valid but the plugin failed in init: it shows as failed, the others go on.
        logger.error({ plugin: name, hook: 'init', err }, `config reload: plugin "${name}" could not start: ${describeError(err)}`);
      };
      if (!outcome.done) {
        result.starting.push(name);
        void started.then(() => (outcome.error === undefined ? logger.info({ plugin: name }, `config reload: plugin "${name}" started`) : failed(outcome.error)));
      } else if (outcome.error === undefined) {
        (restarting.has(name) ? result.restarted : result.started).push(name);
      } else {
        result.failed.push({ plugin: name, reason: describeError(outcome.error) });
        failed(outcome.error);
      }
    }
    isolates.reorder([...wanted.keys()]);
    this.current = next;
    result.applied = result.failed.length === 0;
    logger.info({ reason, ...result }, result.applied ? 'config reloaded' : 'config reloaded, but a plugin failed to start');
    return result;
  }

  /** The plugins this reload would start or restart, each prepared in a check isolate: any failure rejects the reload. */
  private async checkChanged(next: LoadedConfig, wanted: Map<string, EnabledPlan>, failed: ReloadResult['failed']): Promise<void> {
    const { isolates } = this.deps;
    const changed = [...wanted.values()].filter((plan) => {
      const running = isolates.get(plan.name);
      return !running || running.state === 'failed' || fingerprint(running.plan) !== fingerprint(plan);
    });
    if (changed.length === 0) return;
    const checks = await checkPlugins(changed, { service: next.service, logger: this.deps.logger, logTo: logDestinationOf(this.deps.logger) });
    for (const [plugin, check] of checks) if (!check.ok) failed.push({ plugin, reason: check.reason });
    for (const check of checks.values()) if (!check.ok) throw check.error;
  }
}

/** Service keys, changed from what the process runs with, that only a restart can apply. */
function serviceChanges(running: LoadedConfig['service'], next: LoadedConfig['service']): string[] {
  const keys: Array<keyof LoadedConfig['service']> = ['port', 'host', 'dataDir', 'timezone', 'publicUrl', 'log', 'http', 'auth', 'store', 'ingest', 'delivery', 'retention', 'mail'];
  // Deep equality whatever the key order: a default written out in the file comes first in its object.
  return keys.filter((k) => !isDeepStrictEqual(running[k], next[k]));
}
