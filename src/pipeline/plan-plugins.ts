/**
 * Decides, for every plugin found and every plugin config file, whether it
 * runs and why not. Used at start (where any error stops the process) and by
 * `livehook plugins` (which lists every state).
 */
import path from 'node:path';
import Joi from 'joi';
import type { LoadedConfig } from '../config/load-config';
import type { PluginSettings } from '../config/plugin-settings';
import { LivehookError, describeError } from '../errors';
import { discoverPlugins, type FoundPlugin } from './discover-plugins';
import { loadManifest } from './load-manifest';
import { ALWAYS_GRANTED, type PluginManifest } from './plugin-contract';

export type PluginPlan =
  | { name: string; state: 'enabled'; found: FoundPlugin; settings: PluginSettings; manifest: PluginManifest; options: Record<string, unknown> }
  | { name: string; state: 'disabled'; reason: string; found: FoundPlugin }
  | { name: string; state: 'error'; reason: string; error: LivehookError };

export function planPlugins(config: LoadedConfig): PluginPlan[] {
  const found = discoverPlugins(config.service.plugins.dir);
  const plans: PluginPlan[] = [];
  for (const plugin of found) {
    const settings = config.plugins.get(plugin.name);
    if (!settings) {
      plans.push({ name: plugin.name, state: 'disabled', found: plugin, reason: `no config file (create ${path.join(path.relative(process.cwd(), config.configDir) || '.', 'plugins', `${plugin.name}.json`)} with {"enabled": true})` });
    } else if (!settings.enabled) {
      plans.push({ name: plugin.name, state: 'disabled', found: plugin, reason: `"enabled" is false in ${settings.file}` });
    } else {
      plans.push(planEnabled(plugin, settings));
    }
  }
  for (const settings of config.plugins.values()) {
    if (found.some((f) => f.name === settings.name) || !settings.enabled) continue;
    const error = new LivehookError('PLUGIN_INVALID', `${settings.file} enables plugin "${settings.name}", but there is no folder ${path.join(config.service.plugins.dir, settings.name)} with an index.ts or index.js`, { plugin: settings.name });
    plans.push({ name: settings.name, state: 'error', reason: error.message, error });
  }
  return sortByOrder(plans, config.service.plugins.order);
}

function planEnabled(found: FoundPlugin, settings: PluginSettings): PluginPlan {
  try {
    const manifest = loadManifest(found);
    const options = validateOptions(manifest, settings);
    checkGrants(manifest, settings);
    return { name: found.name, state: 'enabled', found, settings, manifest, options };
  } catch (err) {
    const error = err instanceof LivehookError ? err : new LivehookError('PLUGIN_INVALID', `plugin "${found.name}": ${describeError(err)}`, { plugin: found.name });
    return { name: found.name, state: 'error', reason: error.message, error };
  }
}

function validateOptions(manifest: PluginManifest, settings: PluginSettings): Record<string, unknown> {
  const schema = manifest.options ?? Joi.object({});
  const { error, value } = schema.validate(settings.options, { abortEarly: true, convert: true, errors: { wrap: { label: false } } });
  if (error) {
    const detail = error.details[0];
    const key = detail.path.join('.');
    const what = detail.type === 'object.unknown' ? `unknown option "${key}" (plugin "${manifest.name}" does not take it)` : `${key}: ${detail.message}`;
    throw new LivehookError('CONFIG_INVALID', `invalid configuration: ${settings.file}: ${what}`, { plugin: manifest.name, file: settings.file, key });
  }
  return value as Record<string, unknown>;
}

function checkGrants(manifest: PluginManifest, settings: PluginSettings): void {
  for (const capability of manifest.capabilities ?? []) {
    if ((ALWAYS_GRANTED as readonly string[]).includes(capability)) continue;
    if (!settings.capabilities.includes(capability)) {
      throw new LivehookError(
        'PLUGIN_CAPABILITY_DENIED',
        `plugin "${manifest.name}" asks for capability "${capability}", which ${settings.file} does not grant: add "${capability}" to its "capabilities" list to allow it`,
        { plugin: manifest.name, capability },
      );
    }
  }
}

/** Config order first, then the rest by name: deterministic, so logs and tests are too. */
function sortByOrder(plans: PluginPlan[], order: readonly string[]): PluginPlan[] {
  const rank = (name: string): number => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  return [...plans].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
