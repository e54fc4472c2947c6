/**
 * Decides, for every plugin found and every plugin config file, whether it
 * runs and why not, from the folders and the config files alone: nothing of
 * a plugin's code is loaded here (that happens in its isolate, see
 * src/isolate/). Used at start, on reload, and by `livehook plugins`.
 */
import path from 'node:path';
import type { LoadedConfig } from '../config/load-config';
import type { PluginSettings } from '../config/plugin-settings';
import { LivehookError } from '../errors';
import { discoverPlugins, type FoundPlugin } from './discover-plugins';

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
  return sortByOrder(plans, config.service.plugins.order);
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
