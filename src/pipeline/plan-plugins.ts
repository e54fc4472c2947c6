/**
 * Decides, for every plugin found and every plugin config file, whether it
 * runs and why not, from the folders and the config files alone: nothing of
 * a plugin's code is loaded here (that happens in its isolate, see
 * src/isolate/). Used at start, on reload, and by `livehook plugins`.
 */
import path from 'node:path';
import { SERVICE_FILE, shownPath, type LoadedConfig } from '../config/load-config';
import type { PluginSettings } from '../config/plugin-settings';
import { LivehookError } from '../errors';
import { discoverPlugins, type FoundPlugin } from './discover-plugins';
import { nearestName } from '../util/edit-distance';

export type PluginPlan =
  | { name: string; state: 'enabled'; found: FoundPlugin; settings: PluginSettings }
  | { name: string; state: 'disabled'; reason: string; found: FoundPlugin }
  | { name: string; state: 'error'; reason: string; error: LivehookError }
  /** An entry of the plugins dir that cannot be read and that no config enables: a warning, nothing runs. */
  | { name: string; state: 'skipped'; reason: string };

export type EnabledPlan = Extract<PluginPlan, { state: 'enabled' }>;

export function planPlugins(config: LoadedConfig): PluginPlan[] {
  const { found, unreadable } = discoverPlugins(config.service.plugins.dir);
  const plans: PluginPlan[] = [];
  for (const entry of unreadable) {
    const settings = config.plugins.get(entry.name);
    if (settings?.enabled) {
      const error = new LivehookError('PLUGIN_INVALID', `${settings.file} enables plugin "${entry.name}", but ${entry.reason}`, { plugin: entry.name, path: entry.path });
      plans.push({ name: entry.name, state: 'error', reason: error.message, error });
    } else {
      plans.push({ name: entry.name, state: 'skipped', reason: `plugins dir entry skipped: ${entry.reason}` });
    }
  }
  for (const plugin of found) {
    const settings = config.plugins.get(plugin.name);
    if (!settings) {
      plans.push({ name: plugin.name, state: 'disabled', found: plugin, reason: `no config file (create ${path.join(path.relative(process.cwd(), config.configDir) || '.', 'plugins', `${plugin.name}.json`)} with {"enabled": true})` });
    } else if (!settings.enabled) {
      plans.push({ name: plugin.name, state: 'disabled', found: plugin, reason: `"enabled" is false in ${settings.file}` });
    } else {
      plans.push({ name: plugin.name, state: 'enabled', found: plugin, settings });
    }
  }
  for (const settings of config.plugins.values()) {
    if (found.some((f) => f.name === settings.name) || unreadable.some((u) => u.name === settings.name) || !settings.enabled) continue;
    const error = new LivehookError('PLUGIN_INVALID', `${settings.file} enables plugin "${settings.name}", but there is no folder ${path.join(config.service.plugins.dir, settings.name)} with an index.ts or index.js`, { plugin: settings.name });
    plans.push({ name: settings.name, state: 'error', reason: error.message, error });
  }
  plans.push(...orderMistakes(config, plans));
  return sortByOrder(plans, config.service.plugins.order);
}

/**
 * `plugins.order` decides which decider is asked first: a name in it that is
 * no plugin here is a typo when it is a letter or two off one that is (the
 * start is refused, naming it), else a plugin since removed (a warning).
 */
function orderMistakes(config: LoadedConfig, plans: readonly PluginPlan[]): PluginPlan[] {
  const names = plans.map((p) => p.name);
  const out: PluginPlan[] = [];
  for (const name of config.service.plugins.order) {
    if (names.includes(name)) continue;
    const meant = nearestName(name, names);
    if (meant !== null) {
      const error = new LivehookError('CONFIG_INVALID', `invalid configuration: ${shownPath(path.join(config.configDir, SERVICE_FILE))}: plugins.order names "${name}", which is no plugin; did you mean "${meant}"?`, { key: 'plugins.order' });
      out.push({ name, state: 'error', reason: error.message, error });
    } else {
      out.push({ name, state: 'skipped', reason: `plugins.order in ${shownPath(path.join(config.configDir, SERVICE_FILE))} names "${name}", which is no plugin in ${config.service.plugins.dir}: ignored` });
    }
  }
  return out;
}

/** Everything in a plan that a running plugin depends on: a reload restarts it when this changes. */
export function fingerprint(plan: EnabledPlan): string {
  const { file: _file, ...settings } = plan.settings;
  return JSON.stringify({ settings, entry: plan.found.entry });
}

/** Config order first, then the rest by name: deterministic, so logs and tests are too. */
function sortByOrder(plans: PluginPlan[], order: readonly string[]): PluginPlan[] {
  const rank = (name: string): number => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  return [...plans].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
