/**
 * Several `livehook serve` processes on one PostgreSQL schema, as a load
 * balancer would run them: each its own process, data dir and config dir,
 * all with the same DATABASE_URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startChildService, type ChildService } from '../helpers/child-service';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema';
import { TestSmtpServer } from '../mail/smtp-test-server';
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

/** What a multi-instance test works with; filled anew before each test. */
export interface Cluster {
  /** A fresh schema of its own. */
  db: TestSchema;
  /** Instances started by the test: stopped after it. */
  instances: Instance[];
  /** Extra folders made by the test: removed after it. */
  dirs: string[];
  /** With useCluster({ smtp: true }): a test SMTP server for the instances to mail to, stopped after the test. */
  smtp: TestSmtpServer;
}

/** Registers the hooks every multi-instance suite needs: a fresh schema per test, everything stopped and dropped after. */
export function useCluster(options: { smtp?: boolean } = {}): Cluster {
  const cluster = { instances: [], dirs: [] } as unknown as Cluster;
  beforeEach(async function () {
    cluster.db = await createTestSchema();
    if (options.smtp) cluster.smtp = await TestSmtpServer.start();
  });
  afterEach(async function () {
    await stopInstances(cluster.instances.splice(0));
    await cluster.db.drop();
    for (const dir of cluster.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    if (options.smtp) await cluster.smtp.stop();
  });
  return cluster;
}
