/**
 * The environment variables of the public contract (DESIGN.md) and where
 * each lands in the configuration. Env wins over files, so a container can
 * be configured without touching config/.
 */

export interface EnvOverride {
  variable: string;
  /** 'service' = config/livehook.json; otherwise the plugin whose options it sets. */
  target: 'service' | { plugin: string };
  path: string[];
  parse: (value: string) => unknown;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
const text = (value: string): string => value.trim();

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: 'PORT', target: 'service', path: ['port'], parse: text },
  { variable: 'LIVEHOOK_DATA_DIR', target: 'service', path: ['dataDir'], parse: text },
  { variable: 'LIVEHOOK_SDKAPPID', target: 'service', path: ['auth', 'sdkAppIds'], parse: list },
  { variable: 'LIVEHOOK_CALLBACK_TOKEN', target: 'service', path: ['auth', 'callbackToken'], parse: (v) => v },
  { variable: 'LIVEHOOK_ADMIN_TOKEN', target: 'service', path: ['auth', 'adminToken'], parse: (v) => v },
  { variable: 'LIVEHOOK_SMTP_URL', target: 'service', path: ['mail', 'smtpUrl'], parse: text },
  { variable: 'LIVEHOOK_ALERT_TO', target: 'service', path: ['mail', 'alertTo'], parse: list },
  { variable: 'LIVEHOOK_PUBLIC_URL', target: 'service', path: ['publicUrl'], parse: text },
  { variable: 'LIVEHOOK_TIMEZONE', target: 'service', path: ['timezone'], parse: text },
  { variable: 'DATABASE_URL', target: 'service', path: ['store', 'databaseUrl'], parse: text },
  { variable: 'LIVEHOOK_LOG_LEVEL', target: 'service', path: ['log', 'level'], parse: text },
  { variable: 'LIVEHOOK_PLUGINS_DIR', target: 'service', path: ['plugins', 'dir'], parse: text },
  { variable: 'LIVEHOOK_ROLLUP_SCHEDULE', target: { plugin: 'stats-rollup' }, path: ['schedule'], parse: text },
];

/** Set `value` at `path` inside `obj`, creating objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let node = obj;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
