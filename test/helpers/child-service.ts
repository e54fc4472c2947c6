/**
 * The service as a real child process (`livehook serve`), for what only a
 * process can show: SIGKILL, SIGTERM, several instances.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './service';

export interface ChildService {
  url: string;
  child: ChildProcess;
  stderr: string[];
  stdout: string[];
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
  /** The signal to the service's whole process group (as systemd's KillMode=control-group and a terminal's Ctrl-C send it); needs `ownGroup`. */
  killGroup(signal: NodeJS.Signals): Promise<number | string>;
}

export async function startChildService(env: Record<string, string>, timeoutMs = 20_000, options: { ownGroup?: boolean } = {}): Promise<ChildService> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'src', 'bin', 'livehook.js'), 'serve'], {
    cwd: REPO_ROOT,
    detached: options.ownGroup ?? false,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LIVEHOOK_TIMEZONE: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  const stdout: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.push(d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start within ${timeoutMs} ms:\n${stderr.join('')}`)), timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr.push(d);
      const match = /livehook listening on (http:\/\/[\d.]+:\d+)/.exec(stderr.join(''));
      if (match) {
        clearTimeout(timer);
        // It says where it listens (0.0.0.0: every interface); the test reaches it locally.
        resolve(match[1].replace('//0.0.0.0:', '//127.0.0.1:'));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening:\n${stderr.join('')}`));
    });
  });
  return {
    url,
    child,
    stderr,
    stdout,
    exited,
    kill: (signal) => {
      child.kill(signal);
      return exited;
    },
    killGroup: (signal) => {
      process.kill(-child.pid!, signal);
      return exited;
    },
  };
}
