/** The servers the ingest benchmark measures, each its own process. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, TOKEN } from './callbacks';

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  dataDir: string | null;
  stop(): Promise<void>;
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function startChild(name: string, args: string[], env: Record<string, string>, dataDir: string | null): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.length > 100_000) err = err.slice(-50_000);
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(err);
      if (m) {
        const port = m[1].split(':').pop();
        resolve({ name, url: `http://127.0.0.1:${port}`, child, dataDir, stop: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${err.slice(-3000)}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function bareKoa(): Promise<Server> {
  return startChild('bare Koa', [path.join(ROOT, 'src', 'bin', 'run-ts.js'), path.join(__dirname, '..', 'bare-koa.ts')], {}, null);
}

/**
 * `livehook serve` with the repo's config, changed by `edit`: the service
 * config object and the plugin config files (name -> content, null = off).
 */
export function livehook(name: string, edit: { service?: (config: Record<string, any>) => void; plugins?: Record<string, Record<string, unknown> | null>; pluginsDir?: string } = {}): Promise<Server> {
  const configDir = tempDir('livehook-bench-config-');
  const service = JSON.parse(fs.readFileSync(path.join(ROOT, 'config', 'livehook.json'), 'utf8')) as Record<string, any>;
  service.plugins.dir = edit.pluginsDir ?? path.join(ROOT, 'plugins');
  edit.service?.(service);
  fs.writeFileSync(path.join(configDir, 'livehook.json'), JSON.stringify(service));
  fs.mkdirSync(path.join(configDir, 'plugins'));
  const repoPlugins = path.join(ROOT, 'config', 'plugins');
  for (const file of fs.readdirSync(repoPlugins)) fs.copyFileSync(path.join(repoPlugins, file), path.join(configDir, 'plugins', file));
  for (const [plugin, content] of Object.entries(edit.plugins ?? {})) {
    fs.writeFileSync(path.join(configDir, 'plugins', `${plugin}.json`), JSON.stringify(content ?? { enabled: false }));
  }
  const dataDir = tempDir('livehook-bench-data-');
  return startChild(name, [path.join(ROOT, 'src', 'bin', 'livehook.js'), 'serve'], {
    PORT: '0',
    LIVEHOOK_DATA_DIR: dataDir,
    LIVEHOOK_CALLBACK_TOKEN: TOKEN,
    LIVEHOOK_LOG_LEVEL: 'info', // the "listening on" line tells the bench where it is
    LIVEHOOK_CONFIG_DIR: configDir,
  }, dataDir);
}

/** A plugins folder with the built-ins and a plugin that spins a CPU on every event. */
export function pluginsWithSpinner(): string {
  const dir = tempDir('livehook-bench-plugins-');
  for (const name of fs.readdirSync(path.join(ROOT, 'plugins'))) fs.symlinkSync(path.join(ROOT, 'plugins', name), path.join(dir, name));
  fs.mkdirSync(path.join(dir, 'spinner'));
  fs.writeFileSync(
    path.join(dir, 'spinner', 'index.js'),
    `'use strict';
const Joi = require('joi');
class Spinner { handle() { for (;;) { /* 100 % of a core, never returns */ } } }
module.exports = { name: 'spinner', version: '1.0.0', commands: '*', options: Joi.object({}), handler: Spinner };
`,
  );
  return dir;
}
