import { spawnSync } from 'node:child_process';
import path from 'node:path';
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
