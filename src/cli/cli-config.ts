/**
 * Every command reads the configuration the service reads (the config folder
 * and the same environment variables) and says on its first line which it
 * used: an operator whose shell lacks the service's environment sees it
 * before trusting the output. On stderr, so stdout stays the command's output.
 */
import { loadConfig, type LoadedConfig } from '../config/load-config';
import { println, type CliIo } from './io';

export function loadCliConfig(io: CliIo): LoadedConfig {
  const config = loadConfig({ env: io.env });
  println(io.stderr, describeConfigSource(config));
  return config;
}

export function describeConfigSource(config: LoadedConfig): string {
  const { service } = config;
  // Never the database URL itself: it may carry a password.
  const store = service.store.databaseUrl ? 'store PostgreSQL (DATABASE_URL)' : `store SQLite in ${service.dataDir}`;
  const env = config.envUsed.length > 0 ? `environment: ${config.envUsed.join(', ')}` : 'no environment overrides';
  return `livehook: config ${config.configDir}; ${env}; ${store}; time zone ${service.timezone}`;
}
