/**
 * "did you mean" for an unknown config key: the key a letter or two off it
 * that the schema takes at the same level (`retension` → `retention`,
 * `storm.maxAlert` → `storm.maxAlerts`).
 */
import type Joi from 'joi';
import { nearestName } from '../util/edit-distance';

/** "; did you mean "a.b"?" or "" (no key near enough, or a schema that cannot say its keys). */
export function meantKey(schema: Joi.Schema, keyPath: ReadonlyArray<string | number>, alsoAtTop: readonly string[] = []): string {
  const parent = keyPath.slice(0, -1).map(String);
  let keys: string[];
  try {
    const described = (parent.length > 0 ? (schema as Joi.ObjectSchema).extract(parent) : schema).describe() as { keys?: Record<string, unknown> };
    keys = Object.keys(described.keys ?? {});
  } catch {
    return '';
  }
  const meant = nearestName(String(keyPath[keyPath.length - 1]), parent.length > 0 ? keys : [...keys, ...alsoAtTop]);
  return meant === null ? '' : `; did you mean "${[...parent, meant].join('.')}"?`;
}
