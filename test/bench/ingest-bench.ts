/**
 * Ingest benchmark (issues 3 and 8): autocannon, 50 connections, distinct
 * signed destroy-room callbacks, in alternating rounds of the same run to
 *   - livehook, the default config and plugins (SQLite, synchronous=FULL),
 *   - livehook with every plugin switched off (what ingest alone costs),
 *   - a bare Koa + koa-bodyparser server that only answers the OK envelope,
 * each its own process, measured from /proc: req/s, p99, CPU per callback
 * on the ingest (main) thread and in the whole process (plugins' catch-up
 * included), disk bytes per callback, and the ratios to bare Koa. Then:
 *   - one callback at a time (latency without queueing),
 *   - the default plugins plus one that spins a CPU at 100 % on every event,
 *     against the default plugins alone, at 50 connections and at 1,
 *   - 1 MB bodies (req/s, disk bytes, peak memory).
 * Finally every callback answered OK is looked for in its server's store.
 */
import os from 'node:os';
import { createLogger } from '../../src/log/logger';
import { openStore } from '../../src/store/open-store';
import { PLAIN_BODY_BYTES } from './ingest/callbacks';
import { acknowledged, round, settle, type RoundResult } from './ingest/load-round';
import { bareKoa, livehook, pluginsWithSpinner, removeTempDirs, type Server } from './ingest/servers';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MIB = 1024 * 1024;

function line(r: RoundResult): string {
  const disk = Number.isNaN(r.diskBytes) ? '' : `  disk ${(r.diskBytes / 1024).toFixed(1)} KiB`;
  return `${r.server.padEnd(22)} ${r.reqPerSec.toFixed(0).padStart(6)} req/s  p99 ${String(r.p99).padStart(4)} ms  CPU ${r.cpuUs.toFixed(0).padStart(4)} µs (ingest thread ${r.mainCpuUs.toFixed(0).padStart(4)} µs)${disk}  non-2xx ${r.non2xx}  errors ${r.errors}`;
}

interface Summary {
  reqPerSec: number;
  p99: number;
  cpuUs: number;
  mainCpuUs: number;
  diskBytes: number;
}

function summarize(results: RoundResult[], server: string): Summary {
  const of = results.filter((r) => r.server === server);
  return {
    reqPerSec: median(of.map((r) => r.reqPerSec)),
    p99: median(of.map((r) => r.p99)),
    cpuUs: median(of.map((r) => r.cpuUs)),
    mainCpuUs: median(of.map((r) => r.mainCpuUs)),
    diskBytes: median(of.map((r) => r.diskBytes)),
  };
}

export async function runIngestBench(options: { rounds?: number; seconds?: number } = {}): Promise<void> {
  const rounds = options.rounds ?? 3;
  const seconds = options.seconds ?? 6;
  const servers: Server[] = [];
  const start = async (s: Promise<Server>) => {
    const server = await s;
    servers.push(server);
    return server;
  };
  try {
    const full = await start(livehook('livehook'));
    const ingestOnly = await start(livehook('livehook, no plugins', { plugins: { logging: null, 'email-alert': null, 'stats-rollup': null } }));
    const bare = await start(bareKoa());

    // Warm each (JIT, SQLite pages) before measuring.
    for (const server of [full, ingestOnly, bare]) await round(server, { seconds: 2 });
    const results: RoundResult[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const server of [full, ingestOnly, bare]) {
        const r = await round(server, { seconds });
        results.push(r);
        console.log(`round ${i + 1}  ${line(r)}`);
      }
    }
    const svc = summarize(results, full.name);
    const lean = summarize(results, ingestOnly.name);
    const koa = summarize(results, bare.name);
    console.log('');
    console.log(`median of ${rounds} rounds of ${seconds} s, ${os.cpus().length} cores shared with the load generator; targets from issue 8 in brackets`);
    for (const [name, s] of [['livehook', svc], ['no plugins', lean], ['bare Koa', koa]] as const) {
      const ratio = (x: number, y: number) => (x / y).toFixed(2);
      console.log(
        `  ${name.padEnd(11)} ${s.reqPerSec.toFixed(0).padStart(6)} req/s (${ratio(s.reqPerSec, koa.reqPerSec)}x Koa${name === 'livehook' ? ' [>= 0.5]' : ''})` +
          `  p99 ${s.p99} ms${name === 'livehook' ? ' [<= 25]' : ''}` +
          `  ingest thread ${s.mainCpuUs.toFixed(0)} µs (${ratio(s.mainCpuUs, koa.mainCpuUs)}x${name === 'livehook' ? ' [<= 2]' : ''})` +
          `  process ${s.cpuUs.toFixed(0)} µs (${ratio(s.cpuUs, koa.cpuUs)}x${name === 'livehook' ? ' [<= 3]' : ''})` +
          (Number.isNaN(s.diskBytes) ? '' : `  disk ${(s.diskBytes / 1024).toFixed(1)} KiB (${ratio(s.diskBytes, PLAIN_BODY_BYTES)}x the ${PLAIN_BODY_BYTES}-byte body${name === 'livehook' ? ' [<= 3]' : ''})`),
      );
    }

    // One callback at a time: each its own commit and fsync.
    const alone = await round(full, { seconds, connections: 1 });
    console.log(`\none at a time: ${line(alone)}`);

    // A plugin spinning 100 % of a core on every event, beside the default plugins.
    const spinning = await start(livehook('livehook + spinner', { pluginsDir: pluginsWithSpinner(), plugins: { spinner: { enabled: true, timeoutMs: 600_000 } } }));
    await round(spinning, { seconds: 2, settle: false });
    const spin: RoundResult[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const server of [full, spinning]) spin.push(await round(server, { seconds, settle: server === full }));
    }
    const calm = summarize(spin, full.name);
    const busy = summarize(spin, spinning.name);
    const calmOne = await round(full, { seconds, connections: 1 });
    const busyOne = await round(spinning, { seconds, connections: 1, settle: false });
    console.log('\na plugin spinning a CPU at 100 % (in its own isolate) beside the default plugins:');
    console.log(`  50 connections: ${busy.reqPerSec.toFixed(0)} req/s, p99 ${busy.p99} ms; without it ${calm.reqPerSec.toFixed(0)} req/s, p99 ${calm.p99} ms (${(busy.reqPerSec / calm.reqPerSec).toFixed(2)}x)`);
    console.log(`  1 connection  : ${busyOne.reqPerSec.toFixed(0)} req/s, p99 ${busyOne.p99} ms; without it ${calmOne.reqPerSec.toFixed(0)} req/s, p99 ${calmOne.p99} ms`);
    await spinning.stop();

    // 1 MB bodies.
    const big = await round(full, { seconds, connections: 8, padding: 1_000_000 - PLAIN_BODY_BYTES });
    console.log(`\n1 MB bodies, 8 connections: ${line(big)}  peak RSS ${(big.peakRss / MIB).toFixed(0)} MiB`);

    await settle(full.url);
  } finally {
    for (const server of servers) await server.stop();
  }

  // Every callback answered OK is in its server's store.
  let missingAll = 0;
  for (const server of servers) {
    if (!server.dataDir) continue;
    const store = await openStore({ dataDir: server.dataDir, logger: createLogger('silent') });
    try {
      const stored = new Set<string>();
      for (let after = 0; ; ) {
        const page = await store.readEvents(after, 5_000, 64 * MIB);
        if (page.length === 0) break;
        for (const e of page) stored.add(e.event.roomId ?? '');
        after = page[page.length - 1]!.seq;
      }
      const ok = acknowledged.get(server.name) ?? new Set<string>();
      const missing = [...ok].filter((r) => !stored.has(r)).length;
      missingAll += missing;
      console.log(`stored   : ${server.name}: ${ok.size} acknowledged, ${missing} missing`);
    } finally {
      await store.close();
    }
  }
  removeTempDirs();
  if (missingAll > 0) process.exitCode = 1;
}
