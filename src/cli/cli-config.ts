/**
 * Every command reads the configuration the service reads (the config folder
 * and the same environment variables) and says on its first line which it
 * used: an operator whose shell lacks the service's environment sees it
 * before trusting the output. On stderr, so stdout stays the command's output.
 */
import { loadConfig, type LoadedConfig } from '../config/load-config';
import { println, type CliIo } from './io';

/** `timezone`: a zone given on the command line (`report --timezone`), which stands for LIVEHOOK_TIMEZONE. */
export function loadCliConfig(io: CliIo, timezone: string | null = null): LoadedConfig {
  const config = loadConfig({ env: timezone ? { ...io.env, LIVEHOOK_TIMEZONE: timezone } : io.env });
  println(io.stderr, describeConfigSource(config, timezone !== null));
  return config;
}

export function describeConfigSource(config: LoadedConfig, zoneGiven = false): string {
  const { service } = config;
  const envUsed = zoneGiven ? config.envUsed.filter((v) => v !== 'LIVEHOOK_TIMEZONE') : config.envUsed;
  // Never the database URL itself: it may carry a password.
  const store = service.store.databaseUrl ? 'store PostgreSQL (DATABASE_URL)' : `store SQLite in ${service.dataDir}`;
  const env = envUsed.length > 0 ? `environment: ${envUsed.join(', ')}` : 'no environment overrides';
  return `livehook: config ${config.configDir}; ${env}; ${store}; time zone ${service.timezone}${zoneGiven ? ' (--timezone)' : ''}`;
}
