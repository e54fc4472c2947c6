/** One way to validate config files and plugin options, and to word their errors. */
import type Joi from 'joi';

/**
 * How every config file and plugin option is validated: first problem only,
 * strings converted where joi can, and messages without joi's label, because
 * we put the key path (`keyPathOf`) in front of each one ourselves.
 */
export const CONFIG_VALIDATION: Joi.ValidationOptions = {
  abortEarly: true,
  convert: true,
  errors: { label: false },
  messages: { 'string.pattern.name': '{{#label}} must be {{#name}}, not {:[.]}' },
};

/** joi's path as an operator writes it in JSON terms: `auth.sdkAppIds[0]`. */
export function keyPathOf(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}
