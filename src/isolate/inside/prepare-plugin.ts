/**
 * Everything about a plugin that its own code decides, worked out inside
 * its isolate (loading the module runs plugin code, which never runs on the
 * ingest thread): the manifest, the options validated by its joi schema, the
 * grants checked against what the manifest asks for, and the commands it
 * takes. Any problem is one LivehookError naming the plugin and the file.
 */
import Joi from 'joi';
import { meantKey } from '../../config/meant-key';
import { pluginFileSchema, type PluginSettings } from '../../config/plugin-settings';
import { CONFIG_VALIDATION, keyPathOf } from '../../config/validation-style';
import { LivehookError, describeError } from '../../errors';
import type { FoundPlugin } from '../../pipeline/discover-plugins';
import { ALWAYS_GRANTED, type PluginManifest } from '../../pipeline/plugin-contract';
import { loadManifest } from './load-manifest';
import { refuseMisspeltCommands } from './misspelt-command';

export interface PreparedPlugin {
  manifest: PluginManifest;
  /** The options with the schema's defaults applied. */
  options: Record<string, unknown>;
  /** null = every command, unknown ones included. */
  commands: ReadonlySet<string> | null;
  /** Deliveries that may run at once (config, else manifest, else 1). */
  concurrency: number;
}

/** What the isolate's host reports to the ingest thread once the plugin is prepared. */
export interface PluginFacts {
  version: string;
  description: string | null;
  commands: string[] | '*';
  /** Before-callbacks it answers (`decides`). */
  decides: string[];
  capabilities: string[];
  tasks: string[];
  concurrency: number;
}

export function preparePlugin(found: FoundPlugin, settings: PluginSettings): PreparedPlugin {
  const manifest = loadManifest(found);
  const options = validateOptions(manifest, settings);
  checkGrants(manifest, settings);
  refuseMisspeltCommands(manifest.name, manifest.decides ?? [], settings, 'decides');
  return {
    manifest,
    options,
    commands: commandsOf(manifest, options, settings),
    concurrency: settings.concurrency ?? manifest.concurrency ?? 1,
  };
}

export function factsOf(prepared: PreparedPlugin): PluginFacts {
  const { manifest } = prepared;
  return {
    version: manifest.version,
    description: manifest.description ?? null,
    commands: prepared.commands === null ? '*' : [...prepared.commands],
    decides: [...(manifest.decides ?? [])],
    capabilities: [...(manifest.capabilities ?? [])],
    tasks: [...(manifest.tasks ?? [])],
    concurrency: prepared.concurrency,
  };
}

function validateOptions(manifest: PluginManifest, settings: PluginSettings): Record<string, unknown> {
  const schema = manifest.options ?? Joi.object({});
  const { error, value } = schema.validate(settings.options, CONFIG_VALIDATION);
  if (error) {
    const detail = error.details[0];
    const key = keyPathOf(detail.path);
    const what = detail.type === 'object.unknown' ? `unknown option "${key}" (plugin "${manifest.name}" does not take it${meantKey(schema, detail.path, RESERVED_KEYS)})` : `${key}: ${detail.message}`;
    throw new LivehookError('CONFIG_INVALID', `invalid configuration: ${settings.file}: ${what}`, { plugin: manifest.name, file: settings.file, key });
  }
  return value as Record<string, unknown>;
}

/** The keys every plugin file may hold (enabled, capabilities, timeoutMs...), read by the host. */
const RESERVED_KEYS = Object.keys((pluginFileSchema.describe() as { keys?: Record<string, unknown> }).keys ?? {});

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

function commandsOf(manifest: PluginManifest, options: Record<string, unknown>, settings: PluginSettings): ReadonlySet<string> | null {
  let commands: unknown = manifest.commands;
  if (typeof commands === 'function') {
    try {
      commands = (commands as (o: unknown) => unknown)(options);
    } catch (err) {
      throw new LivehookError('PLUGIN_INVALID', `plugin "${manifest.name}": its commands(options) failed for ${settings.file}: ${describeError(err)}`, { plugin: manifest.name });
    }
  }
  if (commands === '*') return null;
  if (Array.isArray(commands) && commands.length > 0 && commands.every((c) => typeof c === 'string' && c.length > 0)) {
    refuseMisspeltCommands(manifest.name, commands as string[], settings, typeof manifest.commands === 'function' ? 'options' : 'commands');
    return new Set(commands as string[]);
  }
  throw new LivehookError('PLUGIN_INVALID', `plugin "${manifest.name}": commands must be '*' or a non-empty list of command names (got ${JSON.stringify(commands)})`, { plugin: manifest.name });
}
