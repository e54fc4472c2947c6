/**
 * The EventType values livehook accepts for a command, read off the
 * command's joi schema, so a plugin option that names an EventType can be
 * checked against what can actually arrive (email-alert's `eventTypes`).
 */
import type Joi from 'joi';
import { commandSpec } from './index';

const cache = new Map<string, readonly string[] | null>();

/**
 * The only EventTypes a callback of `command` can carry once livehook has
 * accepted it, or null when any value can (a command without a schema, or
 * one whose EventType is any string).
 */
export function acceptedEventTypes(command: string): readonly string[] | null {
  let types = cache.get(command);
  if (types === undefined) {
    const spec = commandSpec(command);
    types = spec ? closedValues(spec.schema, 'EventType') : null;
    cache.set(command, types);
  }
  return types;
}

/**
 * True when livehook's schema for `command` does not require an EventType:
 * such a callback may arrive without one (TUIRoomKit's
 * Room.CallbackAfterDestroyRoom carries none, Live.CallbackAfterCreateRoom
 * has none at all), and a filter on EventType values never matches it.
 * False for a command livehook has no schema for: it cannot tell.
 */
export function mayArriveWithoutEventType(command: string): boolean {
  const spec = commandSpec(command);
  if (!spec) return false;
  return describedKey(spec.schema, 'EventType')?.flags?.presence !== 'required';
}

interface KeyDescription {
  flags?: { only?: boolean; presence?: string };
  allow?: unknown[];
}

function describedKey(schema: Joi.ObjectSchema, key: string): KeyDescription | undefined {
  return (schema.describe() as { keys?: Record<string, KeyDescription> }).keys?.[key];
}

function closedValues(schema: Joi.ObjectSchema, key: string): readonly string[] | null {
  const described = describedKey(schema, key);
  if (!described?.flags?.only || !described.allow) return null;
  return Object.freeze(described.allow.filter((v): v is string => typeof v === 'string'));
}
