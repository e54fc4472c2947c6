/**
 * One plugin's config file (config/plugins/<name>.json): a few reserved keys
 * that the host reads, and everything else handed to the plugin as options,
 * validated later against the plugin's own schema.
 */
import Joi from 'joi';
import { ALWAYS_GRANTED, GRANTABLE, MODULE_GRANTS } from '../pipeline/plugin-contract';
import { timerMs } from './joi-extras';
import type { RetryPolicy } from './service-config';

/** What a plugin's config may grant: the capabilities, and the modules a plugin may not load otherwise. */
const GRANTABLE_NAMES: readonly string[] = [...GRANTABLE, ...MODULE_GRANTS];
/** Also accepted, though always given: listing them does no harm. */
const GRANTS: readonly string[] = [...GRANTABLE_NAMES, ...ALWAYS_GRANTED];

export interface PluginSettings {
  name: string;
  /** The file it came from, for error messages. */
  file: string;
  enabled: boolean;
  /** Capabilities granted to the plugin. */
  capabilities: string[];
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  concurrency?: number;
  /** Where the plugin's code runs: its own worker thread (default) or its own child process. */
  isolation: 'thread' | 'process';
  /** The isolate's heap limit (MB): past it the isolate ends, not the service. */
  heapMb: number;
  /** How long its isolate may take to start (load, open its store, init), ms: past it the isolate ends and is started again with backoff. */
  startTimeoutMs: number;
  /** Where a plugin that has no cursor yet starts reading the log: its end (only new events) or its beginning. */
  startFrom: 'end' | 'beginning';
  options: Record<string, unknown>;
}

export const RESERVED_KEYS = ['enabled', 'capabilities', 'timeoutMs', 'retry', 'concurrency', 'isolation', 'heapMb', 'startTimeoutMs', 'startFrom'] as const;

/** An isolate's heap limit unless its config says otherwise. */
export const DEFAULT_HEAP_MB = 128;
/** How long an isolate may take to start unless its config says otherwise (module loading on a busy machine is slow). */
export const DEFAULT_START_TIMEOUT_MS = 60_000;

export const pluginFileSchema = Joi.object({
  enabled: Joi.boolean().required(),
  // A misspelt grant ("htp") would be ignored and the plugin refused for the one it meant: name it here.
  capabilities: Joi.array()
    .items(Joi.string().valid(...GRANTS).messages({ 'any.only': `"{{#value}}" is not a capability: grant some of ${GRANTABLE_NAMES.join(', ')}` }))
    .unique()
    .default([]),
  timeoutMs: timerMs(1),
  concurrency: Joi.number().integer().min(1).max(1000),
  retry: Joi.object({
    baseMs: timerMs(1),
    capMs: timerMs(1),
    maxAttempts: Joi.number().integer().min(1).max(1000),
  }),
  isolation: Joi.string().valid('thread', 'process').default('thread'),
  heapMb: Joi.number().integer().min(16).max(16_384).default(DEFAULT_HEAP_MB),
  startTimeoutMs: timerMs(1000).default(DEFAULT_START_TIMEOUT_MS),
  startFrom: Joi.string().valid('end', 'beginning').default('end'),
})
  .unknown(true)
  .custom((value: { isolation: string; capabilities: string[] }, helpers) =>
    value.isolation === 'process' && value.capabilities.includes('inspector')
      ? helpers.message({ custom: 'capabilities: "inspector" cannot work with "isolation": "process" (Node\'s permission model refuses the inspector to a child process whatever the grants): remove it, or run the plugin with "isolation": "thread"' })
      : value,
  );

export function splitPluginFile(name: string, file: string, validated: Record<string, unknown>): PluginSettings {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(validated)) {
    if (!(RESERVED_KEYS as readonly string[]).includes(key)) options[key] = value;
  }
  return {
    name,
    file,
    enabled: validated.enabled as boolean,
    capabilities: validated.capabilities as string[],
    timeoutMs: validated.timeoutMs as number | undefined,
    retry: validated.retry as Partial<RetryPolicy> | undefined,
    concurrency: validated.concurrency as number | undefined,
    isolation: validated.isolation as PluginSettings['isolation'],
    heapMb: validated.heapMb as number,
    startTimeoutMs: validated.startTimeoutMs as number,
    startFrom: validated.startFrom as PluginSettings['startFrom'],
    options,
  };
}
