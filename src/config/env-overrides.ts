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
  /** Throws an Error saying what is wrong with the value; load-config names the variable. */
  parse: (value: string) => unknown;
}

/**
 * A comma-separated list. One with no item in it ("," or " ") is refused,
 * not read as "none": for LIVEHOOK_SDKAPPID an empty list means "any
 * SdkAppid", so a typo would silently replace the file's list and open the
 * door. Unsetting the variable is the way to keep the file's value.
 */
const list = (value: string): string[] => {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new Error(`is set to ${JSON.stringify(value)}, a list with no item in it; give at least one value, or unset the variable to keep the config file's`);
  return items;
};
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
