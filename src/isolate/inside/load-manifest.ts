/**
 * Loads a plugin module and checks its default export is a usable manifest,
 * naming the plugin and the problem when it is not.
 */
import Joi from 'joi';
import { GRANTABLE, ALWAYS_GRANTED, MODULE_GRANTS, type PluginManifest } from '../../pipeline/plugin-contract';
import { LivehookError } from '../../errors';
import { CONFIG_VALIDATION, keyPathOf } from '../../config/validation-style';
import type { FoundPlugin } from '../../pipeline/discover-plugins';

const KNOWN_CAPABILITIES = [...GRANTABLE, ...ALWAYS_GRANTED, ...MODULE_GRANTS];

const manifestSchema = Joi.object({
  name: Joi.string().pattern(/^[a-z0-9][a-z0-9._-]*$/).required(),
  version: Joi.string().required(),
  description: Joi.string().allow(''),
  commands: Joi.alternatives(Joi.string().valid('*'), Joi.array().items(Joi.string().min(1)).min(1), Joi.function()).required(),
  options: Joi.any().custom((value, helpers) => (Joi.isSchema(value) && value.type === 'object' ? value : helpers.error('any.invalid')), 'joi object schema').messages({ 'any.invalid': '{{#label}} must be a joi object schema (Joi.object({...}))' }),
  decides: Joi.array().items(Joi.string().min(1)).unique().default([]),
  capabilities: Joi.array().items(Joi.string().valid(...KNOWN_CAPABILITIES)).unique().default([]),
  tasks: Joi.array().items(Joi.string()).unique().default([]),
  concurrency: Joi.number().integer().min(1).max(1000).default(1),
  handler: Joi.function().class().required(),
  check: Joi.function(),
}).unknown(true);

/** A module with named exports only (an ES module without \`export default\`), not a manifest itself. */
function isWithoutDefault(mod: unknown): boolean {
  if (typeof mod !== 'object' || mod === null || (mod as { default?: unknown }).default !== undefined) return false;
  return !('name' in mod) && !('handler' in mod);
}

export function loadManifest(found: FoundPlugin): PluginManifest {
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(found.entry);
  } catch (err) {
    throw new LivehookError('PLUGIN_INVALID', `plugin "${found.name}": ${found.entry} failed to load: ${(err as Error).message}`, { plugin: found.name }, { cause: err });
  }
  const exported = (mod as { default?: unknown }).default ?? mod;
  const { error, value } = manifestSchema.validate(exported, CONFIG_VALIDATION);
  if (error && isWithoutDefault(mod)) {
    const names = Object.keys(mod as object).filter((k) => k !== '__esModule');
    throw new LivehookError(
      'PLUGIN_INVALID',
      `plugin "${found.name}": ${found.entry} has no default export${names.length > 0 ? ` (it exports ${names.map((n) => `"${n}"`).join(', ')})` : ''}: export the manifest as its default (\`export default definePlugin({ ... })\`, or \`module.exports = { ... }\` in plain JavaScript)`,
      { plugin: found.name },
    );
  }
  if (error) {
    throw new LivehookError('PLUGIN_INVALID', `plugin "${found.name}": its default export is not a valid manifest: ${keyPathOf(error.details[0].path) || 'manifest'}: ${error.details[0].message}`, { plugin: found.name });
  }
  const manifest = value as PluginManifest;
  if (manifest.name !== found.name) {
    throw new LivehookError('PLUGIN_INVALID', `plugin in folder "${found.name}" calls itself "${manifest.name}": the folder and the manifest name must match`, { plugin: found.name });
  }
  return manifest;
}
