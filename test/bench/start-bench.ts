/**
 * Start-time benchmark (issue 11, point 6): how long `livehook --help` takes,
 * and how long `livehook serve` takes from launch to answering /healthz, with
 * the repo's config and plugins; several runs each, the median printed, next
 * to bare `node -e 0` measured in the same run (the machine's own speed).
 * Targets on the 2-core machine: --help < 0.4 s, /healthz < 1.2 s.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'src', 'bin', 'livehook.js');
const RUNS = 7;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Launches serve and polls /healthz every 10 ms; resolves with the ms from spawn to the first 200. */
async function serveUntilHealthy(): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'livehook-start-bench-'));
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, PORT: '0', LIVEHOOK_DATA_DIR: dataDir, LIVEHOOK_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const m = /"port":(\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${text.slice(-500)}`)));
    });
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return Number(process.hrtime.bigint() - started) / 1e6;
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runStartBench(): Promise<void> {
  const bare: number[] = [];
  const help: number[] = [];
  const healthz: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(timed(['-e', '0']));
    help.push(timed([BIN, '--help']));
    healthz.push(await serveUntilHealthy());
  }
  const b = median(bare);
  console.log(`node -e 0          ${b.toFixed(0).padStart(5)} ms`);
  console.log(`livehook --help    ${median(help).toFixed(0).padStart(5)} ms  (${(median(help) / b).toFixed(1)}x node -e 0; target < 400 ms)`);
  console.log(`serve to /healthz  ${median(healthz).toFixed(0).padStart(5)} ms  (${(median(healthz) / b).toFixed(1)}x node -e 0; target < 1200 ms)`);
}
