/**
 * Reads config/livehook.json and config/plugins/*.json, applies the
 * environment overrides, and validates everything with joi. Any problem
 * stops here with one message naming the file (or env variable), the key
 * and what is expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Joi from 'joi';
import { LivehookError } from '../errors';
import { ENV_OVERRIDES, setPath, type EnvOverride } from './env-overrides';
import { pluginFileSchema, splitPluginFile, type PluginSettings } from './plugin-settings';
import { serviceConfigSchema, type ServiceConfig } from './service-config';
import { duplicateKeyProblem, explainJsonError, protoKeyPath } from './json-error';
import { meantKey } from './meant-key';
import { CONFIG_VALIDATION, keyPathOf } from './validation-style';

export interface LoadedConfig {
  configDir: string;
  service: ServiceConfig;
  /** By plugin name: every file found in config/plugins/. */
  plugins: Map<string, PluginSettings>;
  /** The environment variables that were read (set and not empty), so a command can say what it used. */
  envUsed: string[];
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to LIVEHOOK_CONFIG_DIR, then ./config. */
  configDir?: string;
}

export const SERVICE_FILE = 'livehook.json';
export const PLUGINS_SUBDIR = 'plugins';

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const configDir = path.resolve(options.configDir ?? env.LIVEHOOK_CONFIG_DIR ?? './config');
  if (!fs.existsSync(configDir) || !fs.statSync(configDir).isDirectory()) {
    const what = fs.existsSync(configDir) ? 'is a file, not a folder' : 'does not exist';
    throw configError(`config folder ${configDir} ${what} (set LIVEHOOK_CONFIG_DIR to the folder that holds livehook.json, or create it)`, { file: configDir });
  }

  const serviceFile = path.join(configDir, SERVICE_FILE);
  // Started from the wrong folder (src/, whose config/ is source code), livehook would run on defaults with no plugin.
  if (!fs.existsSync(serviceFile) && !fs.existsSync(path.join(configDir, PLUGINS_SUBDIR))) {
    throw configError(
      `config folder ${configDir} holds neither ${SERVICE_FILE} nor ${PLUGINS_SUBDIR}/: is it livehook's? Start from the folder that holds config/, or set LIVEHOOK_CONFIG_DIR`,
      { file: configDir },
    );
  }
  // Every file is read and checked before a refusal, which then names each problem (one a line):
  // an operator fixes them in one go instead of one per try.
  const problems = new ConfigProblems();
  const serviceRaw = (fs.existsSync(serviceFile) ? problems.collect(() => readJsonObject(serviceFile)) : undefined) ?? {};
  const rawPlugins = readPluginFiles(path.join(configDir, PLUGINS_SUBDIR), problems);

  // Env overrides go into the raw objects, remembering which key came from which variable.
  const envOrigins = new Map<string, string>();
  for (const override of ENV_OVERRIDES) {
    const value = env[override.variable];
    if (value === undefined || value === '') continue;
    const parsed = parseEnv(override, value);
    if (override.target === 'service') {
      setPath(serviceRaw, override.path, parsed);
      envOrigins.set(`service:${override.path.join('.')}`, override.variable);
    } else {
      const plugin = rawPlugins.get(override.target.plugin);
      if (!plugin) continue; // the plugin has no config file, so it is off: nothing to override
      setPath(plugin.raw, override.path, parsed);
      envOrigins.set(`${override.target.plugin}:${override.path.join('.')}`, override.variable);
    }
  }

  const service = problems.collect(() => validate(serviceConfigSchema, serviceRaw, shownPath(serviceFile), (p) => envOrigins.get(`service:${p}`)) as ServiceConfig);
  const plugins = new Map<string, PluginSettings>();
  for (const [name, { file, raw }] of rawPlugins) {
    const validated = problems.collect(() => validate(pluginFileSchema, raw, shownPath(file), (p) => envOrigins.get(`${name}:${p}`)) as Record<string, unknown>);
    if (validated) plugins.set(name, splitPluginFile(name, shownPath(file), validated));
  }
  problems.throwIfAny();
  const checked = service as ServiceConfig; // (had it failed, throwIfAny threw)
  checked.dataDir = path.resolve(checked.dataDir);
  checked.plugins.dir = path.resolve(checked.plugins.dir);
  const envUsed = [...(env.LIVEHOOK_CONFIG_DIR && !options.configDir ? ['LIVEHOOK_CONFIG_DIR'] : []), ...new Set(envOrigins.values())];
  return { configDir, service: checked, plugins, envUsed };
}

/** The config's problems, gathered file by file. */
class ConfigProblems {
  private readonly found: LivehookError[] = [];

  /** The step's result, or undefined when it found a problem in the config (kept for throwIfAny). */
  collect<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof LivehookError) || err.code !== 'CONFIG_INVALID') throw err;
      this.found.push(err);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.found.length === 0) return;
    if (this.found.length === 1) throw this.found[0];
    throw new LivehookError('CONFIG_INVALID', this.found.map((e) => e.message).join('\n'), { problems: this.found.map((e) => e.details) });
  }
}

function parseEnv(override: EnvOverride, value: string): unknown {
  try {
    return override.parse(value);
  } catch (err) {
    throw configError(`environment variable ${override.variable} ${(err as Error).message}`, { env: override.variable, key: override.path.join('.') });
  }
}

function readPluginFiles(dir: string, problems: ConfigProblems): Map<string, { file: string; raw: Record<string, unknown> }> {
  const found = new Map<string, { file: string; raw: Record<string, unknown> }>();
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir).sort()) {
    if (!entry.endsWith('.json')) continue;
    const file = path.join(dir, entry);
    const raw = problems.collect(() => readJsonObject(file, 'write {"enabled": true} to run the plugin with its defaults (with "capabilities": [...] when it asks for some: its README lists them), or {"enabled": false}'));
    if (raw) found.set(entry.slice(0, -'.json'.length), { file, raw });
  }
  return found;
}

function readJsonObject(file: string, emptyFix?: string): Record<string, unknown> {
  let text: string;
  try {
    // An editor's byte order mark is not content: JSON.parse would refuse it as an invisible token.
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw configError(`${shownPath(file)}: cannot be read (${(err as Error).message})`, { file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw configError(`${shownPath(file)}: is not valid JSON: ${explainJsonError(text, err as Error, emptyFix)}`, { file });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(`${shownPath(file)}: must hold a JSON object ({ ... })`, { file });
  }
  const duplicate = duplicateKeyProblem(text);
  if (duplicate !== null) throw configError(`${shownPath(file)}: ${duplicate}`, { file });
  const proto = protoKeyPath(value);
  if (proto !== null) throw configError(`${shownPath(file)}: ${proto}: "__proto__" is not a key livehook reads: remove it`, { file, key: proto });
  return value as Record<string, unknown>;
}

/** Validate and turn joi's first error into "file: key: what is expected". */
export function validate(schema: Joi.Schema, value: unknown, file: string, envVariableFor: (keyPath: string) => string | undefined = () => undefined): unknown {
  const result = schema.validate(value, CONFIG_VALIDATION);
  if (!result.error) return result.value;
  const detail = result.error.details[0];
  const key = keyPathOf(detail.path);
  const fromEnv = envVariableFor(key) ?? envVariableFor(detail.path.slice(0, -1).join('.'));
  const where = fromEnv ? `${file} (value from environment variable ${fromEnv})` : file;
  const what = detail.type === 'object.unknown' ? `unknown key "${key}"${meantKey(schema, detail.path)}` : detail.message;
  throw configError(`${where}: ${key ? `${key}: ` : ''}${what}`, { file, key, env: fromEnv });
}

function configError(message: string, details: Record<string, unknown>): LivehookError {
  return new LivehookError('CONFIG_INVALID', `invalid configuration: ${message}`, details);
}

/** A path as messages show it: from the working folder when under it, else whole. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
