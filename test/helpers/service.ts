/**
 * Starts the real service (Koa on port 0, SQLite in a temp dir) with the
 * repo's config, overridden per test. Tests talk to it over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startService, type RunningService } from '../../src/service';
import { createLogger } from '../../src/log/logger';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface TestServiceOptions {
  /** Environment for the service (merged over a test default: port 0, temp data dir, quiet logs). */
  env?: Record<string, string | undefined>;
  /** Deep-merged over the repo's config/livehook.json. */
  config?: Record<string, unknown>;
  /** config/plugins/<name>.json contents; null removes the repo's file for that plugin. */
  plugins?: Record<string, Record<string, unknown> | null>;
  /** Keep only these plugins' config files from the repo (others get none, so they are off). */
  onlyPlugins?: string[];
  pluginsDir?: string;
  dataDir?: string;
  /** Service log lines; default: collected in memory (see `logs`). */
  logLevel?: string;
}

export interface PostResult {
  status: number;
  body: any;  
  headers: Headers;
}

export interface TestService {
  url: string;
  dataDir: string;
  configDir: string;
  service: RunningService;
  /** Service log lines (JSON objects) written so far. */
  logs: Array<Record<string, unknown>>;
  post(body: unknown, query?: Record<string, string>): Promise<PostResult>;
  get(pathname: string, headers?: Record<string, string>): Promise<PostResult>;
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Every folder tempDir made in this process: removed when it exits, so a run leaves nothing in /tmp. */
const made = new Set<string>();
process.on('exit', () => {
  for (const dir of made) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // still mounted (a tmpfs test that failed before unmounting): the OS cleans /tmp
    }
  }
});

/** A fresh folder under the OS temp dir, removed at the end of the run. */
export function tempDir(prefix = 'livehook-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Writes a config folder: the repo's files with the overrides applied. */
export function writeConfigDir(options: Pick<TestServiceOptions, 'config' | 'plugins' | 'onlyPlugins' | 'pluginsDir'> = {}): string {
  const configDir = tempDir('livehook-config-');
  const base = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'config', 'livehook.json'), 'utf8')) as Record<string, unknown>;
  const merged = deepMerge(base, options.config ?? {});
  if (options.pluginsDir) setDeep(merged, ['plugins', 'dir'], options.pluginsDir);
  else setDeep(merged, ['plugins', 'dir'], path.join(REPO_ROOT, 'plugins'));
  fs.writeFileSync(path.join(configDir, 'livehook.json'), JSON.stringify(merged, null, 2));

  const pluginDir = path.join(configDir, 'plugins');
  fs.mkdirSync(pluginDir);
  const repoPlugins = path.join(REPO_ROOT, 'config', 'plugins');
  for (const file of fs.readdirSync(repoPlugins)) {
    const name = file.replace(/\.json$/, '');
    // A test with its own plugins folder does not have the built-ins: their config files would name missing plugins.
    const keep = options.onlyPlugins ?? (options.pluginsDir ? [] : undefined);
    if (keep && !keep.includes(name)) continue;
    const content = JSON.parse(fs.readFileSync(path.join(repoPlugins, file), 'utf8')) as Record<string, unknown>;
    // Tests read the event log from the file, not from the test runner's stdout.
    if (name === 'logging') content.stdout = false;
    fs.writeFileSync(path.join(pluginDir, file), JSON.stringify(content, null, 2));
  }
  for (const [name, content] of Object.entries(options.plugins ?? {})) {
    const file = path.join(pluginDir, `${name}.json`);
    if (content === null) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, JSON.stringify(content, null, 2));
  }
  return configDir;
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const configDir = writeConfigDir(options);
  const dataDir = options.dataDir ?? tempDir('livehook-data-');
  const env: Record<string, string | undefined> = {
    PORT: '0',
    LIVEHOOK_DATA_DIR: dataDir,
    LIVEHOOK_TIMEZONE: 'UTC',
    ...options.env,
  };
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc: string, done: () => void) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger((options.logLevel ?? 'info') as 'info', sink);
  const service = await startService({ env, configDir, logger });
  return {
    url: service.url,
    dataDir,
    configDir,
    service,
    logs,
    post: (body, query) => post(service.url, body, query),
    get: (pathname, headers) => get(service.url, pathname, headers),
    waitForIdle: (timeoutMs = 10_000) => waitFor(() => service.isolates.isIdle(), timeoutMs, 'the plugins to finish'),
    stop: () => service.close(),
  };
}

export async function post(baseUrl: string, body: unknown, query: Record<string, string> = {}): Promise<PostResult> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${baseUrl}/callback${qs ? `?${qs}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await parseBody(res), headers: res.headers };
}

export async function get(baseUrl: string, pathname: string, headers: Record<string, string> = {}): Promise<PostResult> {
  const res = await fetch(`${baseUrl}${pathname}`, { headers });
  return { status: res.status, body: await parseBody(res), headers: res.headers };
}

async function parseBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The real timer, kept before any test fakes the clock (test/helpers/fake-clock.ts): waiting takes real time. */
const realSetTimeout = globalThis.setTimeout;

/** Waits `ms` of real time, also while a fake clock holds this thread's timers: for "and nothing more happens" checks. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** Polls `check` until it is true; fails with what it was waiting for. Real time, also while a test fakes the clock. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => realSetTimeout(r, 20));
  }
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', name), 'utf8');
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function setDeep(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    node[key] = (node[key] as Record<string, unknown>) ?? {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
