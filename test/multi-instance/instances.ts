/**
 * Several `livehook serve` processes on one PostgreSQL schema, as a load
 * balancer would run them: each its own process, data dir and config dir,
 * all with the same DATABASE_URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startChildService, type ChildService } from '../helpers/child-service';
import { REPO_ROOT, tempDir, writeConfigDir } from '../helpers/service';

export interface Instance {
  name: string;
  child: ChildService;
  pid: number;
  url: string;
  dataDir: string;
  configDir: string;
  /** The service's log lines so far (JSON on stderr). */
  logs(): Array<Record<string, unknown>>;
}

export interface InstanceOptions {
  name: string;
  databaseUrl: string;
  /** writeConfigDir() options: config overrides, plugin files, plugins folder. */
  config: Parameters<typeof writeConfigDir>[0];
  env?: Record<string, string>;
}

export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const configDir = writeConfigDir(options.config);
  const dataDir = tempDir(`livehook-${options.name}-`);
  const child = await startChildService({
    LIVEHOOK_CONFIG_DIR: configDir,
    LIVEHOOK_DATA_DIR: dataDir,
    LIVEHOOK_LOG_LEVEL: 'info',
    DATABASE_URL: options.databaseUrl,
    ...options.env,
  });
  return {
    name: options.name,
    child,
    pid: child.child.pid!,
    url: child.url,
    dataDir,
    configDir,
    logs: () => parseLines(child.stderr.join('')),
  };
}

/** Stops what is still running (SIGTERM, then SIGKILL if it hangs) and removes the folders. */
export async function stopInstances(instances: Instance[]): Promise<void> {
  await Promise.all(
    instances.map(async (instance) => {
      if (instance.child.child.exitCode === null && instance.child.child.signalCode === null) {
        const timer = setTimeout(() => instance.child.child.kill('SIGKILL'), 15_000);
        await instance.child.kill('SIGTERM');
        clearTimeout(timer);
      }
      fs.rmSync(instance.dataDir, { recursive: true, force: true });
      fs.rmSync(instance.configDir, { recursive: true, force: true });
    }),
  );
}

/** A plugins folder holding the given built-in plugins (linked from the repo) beside the test's own. */
export function pluginsDirWith(builtIns: string[]): string {
  const dir = tempDir('livehook-plugins-');
  for (const name of builtIns) fs.symlinkSync(path.join(REPO_ROOT, 'plugins', name), path.join(dir, name), 'dir');
  return dir;
}

/**
 * A recorder plugin's JSON lines, read while the plugin may be writing: only
 * complete lines count (a reader can catch the last one half written).
 */
export function readRecordLines(file: string): Array<Record<string, any>> {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.pop(); // '' after the last newline, or a line not finished yet
  return lines.filter(Boolean).map((line) => JSON.parse(line));
}

function parseLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by SIGKILL
    }
  }
  return out;
}
