/**
 * One round of load on one server: autocannon posts signed callbacks for a
 * few seconds; then, for livehook, the round waits until the plugins have
 * caught up, so that what they spent on the round's events is in its figures
 * (and not in the next server's round).
 */
import autocannon from 'autocannon';
import { body, signedPath } from './callbacks';
import { rss, sample } from './proc-stats';
import type { Server } from './servers';

export interface RoundResult {
  server: string;
  reqPerSec: number;
  p99: number;
  answered: number;
  non2xx: number;
  errors: number;
  /** µs of CPU per answered callback: all threads, and the main (ingest) thread alone. */
  cpuUs: number;
  mainCpuUs: number;
  /** Bytes written to disk per answered callback (NaN for a server that writes none). */
  diskBytes: number;
  /** Highest resident memory seen during the round. */
  peakRss: number;
}

let counter = 0;
/** Rooms livehook answered OK for, per server: checked against its store at the end. */
export const acknowledged = new Map<string, Set<string>>();

export async function round(server: Server, options: { seconds: number; connections?: number; padding?: number; settle?: boolean }): Promise<RoundResult> {
  const pid = server.child.pid!;
  const before = sample(pid);
  let peakRss = rss(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss(pid))), 100);
  const ok = acknowledged.get(server.name) ?? new Set<string>();
  acknowledged.set(server.name, ok);
  const result = await autocannon({
    url: server.url,
    connections: options.connections ?? 50,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: autocannon.Request, context: Record<string, unknown>) => {
          const n = ++counter;
          const room = `bench-${process.pid}-${n}`;
          context.room = room;
          return { ...request, path: signedPath(), headers: { 'content-type': 'application/json' }, body: body(room, n, options.padding ?? 0) };
        },
        onResponse: (status: number, _body: string, context: Record<string, unknown>) => {
          if (status === 200) ok.add(context.room as string);
        },
      },
    ],
  } as unknown as autocannon.Options);
  if (options.settle !== false && server.dataDir) await settle(server.url);
  clearInterval(sampler);
  const after = sample(pid);
  const answered = result.requests.total;
  return {
    server: server.name,
    reqPerSec: result.requests.average,
    p99: result.latency.p99,
    answered,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuUs: ((after.cpu - before.cpu) * 1e6) / answered,
    mainCpuUs: ((after.mainCpu - before.mainCpu) * 1e6) / answered,
    diskBytes: server.dataDir ? (after.diskBytes - before.diskBytes) / answered : Number.NaN,
    peakRss,
  };
}

/** Until the service's plugins have caught up (from /metrics). */
export async function settle(url: string, maxMs = 120_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const pending = [...text.matchAll(/^livehook_deliveries_pending\{([^}]*)\} (\d+)/gm)]
      .filter((m) => !m[1].includes('"spinner"')) // it never catches up, by design
      .reduce((sum, m) => sum + Number(m[2]), 0);
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log('  (plugins still behind after 2 minutes; measuring anyway)');
}
