/**
 * PostgreSQL store append throughput, with group commit.
 *
 *   node src/bin/run-ts.js test/bench/pg-store-bench.ts [seconds-per-round=2]
 *
 * Needs the test server (.ci/ensure-postgres.sh; LIVEHOOK_TEST_DATABASE_URL
 * to point elsewhere); works in a fresh schema it drops afterwards.
 *
 * "x50/turn": 50 appends in one event-loop turn (like 50 HTTP connections
 * each with a request in flight), wait for all, repeat. "2 instances": two
 * stores (two pools, as two processes would have) on one schema, each with
 * 25 in flight, so their batches take turns on the append lock that keeps
 * commits in seq order. "serial": await each append before the next, every
 * event paying a whole commit (what group commit saves).
 */
import os from 'node:os';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { createTestSchema } from '../helpers/pg-schema';
import { makeEvent } from '../store/make-event';

const seconds = Number(process.argv[2] ?? 2);

interface RoundResult {
  events: number;
  commits: number;
  seconds: number;
  latenciesMs: number[];
}

/** Bursts of `perTurn` appends on each store at once, until the round's time is up. */
async function burstRound(stores: PostgresStore[], perTurn: number): Promise<RoundResult> {
  const before = stores.map((s) => s.commitStats());
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    stores.map(async (store) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await Promise.all(Array.from({ length: perTurn }, () => store.append(makeEvent({ receivedAt: Date.now() })).then(() => latenciesMs.push(performance.now() - t0))));
      }
    }),
  );
  const after = stores.map((s) => s.commitStats());
  const sum = (pick: (i: number) => number) => stores.reduce((n, _, i) => n + pick(i), 0);
  return {
    events: sum((i) => after[i]!.items - before[i]!.items),
    commits: sum((i) => after[i]!.commits - before[i]!.commits),
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
  };
}

async function serialRound(store: PostgresStore): Promise<RoundResult> {
  const before = store.commitStats();
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + Math.min(seconds, 1) * 1000;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    await store.append(makeEvent({ receivedAt: Date.now() }));
    latenciesMs.push(performance.now() - t0);
  }
  const after = store.commitStats();
  return { events: after.items - before.items, commits: after.commits - before.commits, seconds: (performance.now() - started) / 1000, latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summarize(label: string, rounds: RoundResult[]): void {
  const events = rounds.reduce((n, r) => n + r.events, 0);
  const commits = rounds.reduce((n, r) => n + r.commits, 0);
  const secs = rounds.reduce((n, r) => n + r.seconds, 0);
  const lat = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  console.log(
    `${label.padEnd(22)} ${String(Math.round(events / secs)).padStart(7)} events/s ${String(Math.round(commits / secs)).padStart(6)} commits/s ` +
      `${(events / commits).toFixed(1).padStart(5)} events/commit   append latency p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const db = await createTestSchema();
  const one = new PostgresStore({ connectionString: db.url });
  const other = new PostgresStore({ connectionString: db.url });
  try {
    await one.open();
    await other.open();
    const single: RoundResult[] = [];
    const pair: RoundResult[] = [];
    const serial: RoundResult[] = [];
    await burstRound([one], 50); // warm-up
    for (let round = 0; round < 3; round++) {
      single.push(await burstRound([one], 50));
      pair.push(await burstRound([one, other], 25));
      serial.push(await serialRound(one));
    }
    const [version] = await db.sql<{ server_version: string }>('SHOW server_version');
    const [sync] = await db.sql<{ synchronous_commit: string }>('SHOW synchronous_commit');
    console.log(
      `PostgreSQL ${version!.server_version} store append (synchronous_commit=${sync!.synchronous_commit}), ` +
        `${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}; client and server on one machine`,
    );
    summarize('1 instance x50/turn', single);
    summarize('2 instances x25/turn', pair);
    summarize('1 instance serial', serial);
  } finally {
    await one.close();
    await other.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
