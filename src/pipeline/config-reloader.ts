/**
 * Hot reload: applies changes to the plugin config files without a restart,
 * when a file in the config folder changes and on SIGHUP.
 *
 * A new config is checked whole first (the same validation as at start); if
 * anything is wrong it is rejected with a log line saying why, and the
 * running config stays. Otherwise plugins switched on are started, plugins
 * switched off are stopped (their cursors stay, so switching one back on
 * resumes where it left off), and plugins whose settings or options changed
 * are restarted. Service settings (port, data dir, store, auth...) need a
 * restart; a reload that changes them says so and applies the plugin part.
 * Plugin *code* is not reloaded (Node caches modules): restart for that.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, PLUGINS_SUBDIR, type LoadedConfig } from '../config/load-config';
import { describeError } from '../errors';
import type { Dispatcher } from './dispatcher';
import { planPlugins } from './plan-plugins';
import { fingerprint, type PluginHost } from './plugin-host';

export interface ReloadResult {
  applied: boolean;
  started: string[];
  stopped: string[];
  restarted: string[];
  /** Why it was rejected, when it was. */
  error?: string;
}

export interface ReloaderDeps {
  config: LoadedConfig;
  env: NodeJS.ProcessEnv | undefined;
  host: PluginHost;
  dispatcher: Dispatcher;
  logger: Logger;
  graceMs: number;
  /** Coalesce bursts of file events (editors write in several steps). */
  debounceMs?: number;
}

export class ConfigReloader {
  private watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private current: LoadedConfig;
  private readonly onSighup = (): void => void this.reload('SIGHUP');

  constructor(private readonly deps: ReloaderDeps) {
    this.current = deps.config;
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
    const next = this.chain.then(() => this.apply(reason));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload('config file changed');
    }, this.deps.debounceMs ?? 200);
  }

  private async apply(reason: string): Promise<ReloadResult> {
    const { host, dispatcher, logger } = this.deps;
    const result: ReloadResult = { applied: false, started: [], stopped: [], restarted: [] };
    let next: LoadedConfig;
    let plans;
    try {
      next = loadConfig({ env: this.deps.env, configDir: this.current.configDir });
      plans = planPlugins(next);
      const failed = plans.find((p) => p.state === 'error');
      if (failed && failed.state === 'error') throw failed.error;
    } catch (err) {
      result.error = describeError(err);
      logger.error({ reason, error: result.error }, `config reload rejected, the running config stays: ${result.error}`);
      return result;
    }

    const restartNeeded = serviceChanges(this.current, next);
    if (restartNeeded.length > 0) logger.warn({ keys: restartNeeded }, `config reload: ${restartNeeded.join(', ')} changed; these take effect at the next restart`);

    const wanted = new Map(plans.flatMap((p) => (p.state === 'enabled' ? [[p.name, p] as const] : [])));
    for (const running of [...host.plugins]) {
      const plan = wanted.get(running.name);
      if (plan && fingerprint(plan) === running.fingerprint) continue;
      await dispatcher.remove(running.name, this.deps.graceMs);
      await host.stopPlugin(running.name);
      (plan ? result.restarted : result.stopped).push(running.name);
    }
    for (const [name, plan] of wanted) {
      if (host.get(name)) continue;
      try {
        const active = await host.startPlugin(plan);
        await dispatcher.add(active);
        if (!result.restarted.includes(name)) result.started.push(name);
      } catch (err) {
        // The config was valid but the plugin failed in init: the others go on.
        logger.error({ plugin: name, err }, `config reload: plugin "${name}" could not start: ${describeError(err)}`);
      }
    }
    host.reorder(plans.map((p) => p.name));
    dispatcher.reorder(plans.map((p) => p.name));
    this.current = next;
    result.applied = true;
    logger.info({ reason, ...result }, 'config reloaded');
    return result;
  }
}

/** Service keys that only a restart can apply. */
function serviceChanges(before: LoadedConfig, after: LoadedConfig): string[] {
  const keys: Array<keyof LoadedConfig['service']> = ['port', 'host', 'dataDir', 'timezone', 'log', 'http', 'auth', 'store', 'ingest', 'delivery', 'retention', 'mail'];
  return keys.filter((k) => JSON.stringify(before.service[k]) !== JSON.stringify(after.service[k]));
}
