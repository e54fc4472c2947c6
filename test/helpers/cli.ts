import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { run } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { REPO_ROOT } from './service';

/** Runs `livehook <args>` as a real process, as an operator would. */
export function livehook(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'src', 'bin', 'livehook.js'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', LIVEHOOK_TIMEZONE: 'UTC', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `livehook <args>` in this process, through the same entry the binary
 * calls, its output and log lines written to strings: where a process of its
 * own would only add start-up time (refusals, --help, config checks, reports
 * of a stopped service). Unlike a real process, plugin isolates it starts
 * send their log lines through this thread and see this process's
 * environment; the config is read from `env` alone. Each command also keeps a
 * test as a real process (`livehook` above).
 */
export async function livehookInProcess(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        out[key] += chunk.toString();
        done();
      },
    });
  const io: CliIo = { stdout: sink('stdout'), stderr: sink('stderr'), isTTY: false, env: { PATH: process.env.PATH ?? '', LIVEHOOK_TIMEZONE: 'UTC', ...env } };
  const code = await run(args, io);
  return { code, ...out };
}
