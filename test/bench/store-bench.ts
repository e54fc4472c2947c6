/**
 * Store append throughput: how many callbacks per second the SQLite store
 * makes durable, with group commit, at synchronous FULL and NORMAL.
 *
 *   node src/bin/run-ts.js test/bench/store-bench.ts [seconds-per-round=2]
 *
 * "burst" rounds issue 50 appends in one event-loop turn (like 50 HTTP
 * connections each with a request in flight), wait for all of them, and
 * repeat. "serial" rounds await each append before the next, so every event
 * pays a whole commit: the cost group commit saves. Rounds alternate between
 * FULL and NORMAL so that disk noise hits both alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallbackEvent } from '../../src/callbacks/event';
import { SqliteStore, type SqliteSynchronous } from '../../src/store/sqlite/sqlite-store';

const seconds = Number(process.argv[2] ?? 2);
const CONCURRENCY = 50;

let counter = 0;
function destroyRoomEvent(): CallbackEvent {
  counter += 1;
  const body = {
    CallbackCommand: 'Live.CallbackAfterDestroyRoom',
    Operator_Account: '@TIM#SYSTEM',
    RoomId: `room-${counter}`,
    EventType: 'DestroyBySystem',
    EventTime: 1756986061775 + counter,
    RoomInfo: {
      RoomId: `room-${counter}`,
      RoomName: '夏季40度',
      RoomType: 'Live',
      Owner_Account: '144115212345678901',
      IsSeatEnabled: true,
      TakeSeatMode: 'ApplyToTake',
      MaxMemberCount: 100,
      MaxSeatCount: 9,
      CustomInfo: '',
      IsMessageDisabled: false,
      CoverURL: '',
      ActivityStatus: 0,
      IsPublicVisible: true,
      ViewCount: 1,
      BackgroundURL: '',
      IsUnlimitedRoomEnabled: true,
    },
  };
  return {
    id: `1400000001:Live.CallbackAfterDestroyRoom:room-${counter}:${body.EventTime}:DestroyBySystem`,
    command: body.CallbackCommand,
    known: true,
    sdkAppId: '1400000001',
    roomId: body.RoomId,
    eventType: body.EventType,
    eventTime: body.EventTime,
    operator: body.Operator_Account,
    body,
    raw: JSON.stringify(body),
    query: { SdkAppid: '1400000001', CallbackCommand: body.CallbackCommand, contenttype: 'json', ClientIP: '127.0.0.1' },
    receivedAt: Date.now(),
  };
}

interface RoundResult {
  events: number;
  commits: number;
  seconds: number;
  latenciesMs: number[];
}

async function burstRound(store: SqliteStore): Promise<RoundResult> {
  const before = store.commitStats();
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, () => store.append(destroyRoomEvent()).then(() => latenciesMs.push(performance.now() - t0))),
    );
  }
  const after = store.commitStats();
  return { events: after.items - before.items, commits: after.commits - before.commits, seconds: (performance.now() - started) / 1000, latenciesMs };
}

async function serialRound(store: SqliteStore): Promise<RoundResult> {
  const before = store.commitStats();
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + Math.min(seconds, 1) * 1000;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    await store.append(destroyRoomEvent());
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
    `${label.padEnd(16)} ${String(Math.round(events / secs)).padStart(7)} events/s ${String(Math.round(commits / secs)).padStart(6)} commits/s ` +
      `${(events / commits).toFixed(1).padStart(5)} events/commit   append latency p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livehook-store-bench-'));
  const modes: SqliteSynchronous[] = ['FULL', 'NORMAL'];
  const stores = new Map<SqliteSynchronous, SqliteStore>();
  for (const mode of modes) {
    const store = new SqliteStore({ file: path.join(dir, mode, 'livehook.db'), synchronous: mode });
    await store.open();
    stores.set(mode, store);
  }
  const burst = new Map<SqliteSynchronous, RoundResult[]>(modes.map((m) => [m, []]));
  const serial = new Map<SqliteSynchronous, RoundResult[]>(modes.map((m) => [m, []]));
  try {
    for (const mode of modes) await burstRound(stores.get(mode)!); // warm-up
    for (let round = 0; round < 3; round++) {
      for (const mode of modes) {
        burst.get(mode)!.push(await burstRound(stores.get(mode)!));
        serial.get(mode)!.push(await serialRound(stores.get(mode)!));
      }
    }
    console.log(`SQLite store append, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}, data in ${os.tmpdir()}`);
    for (const mode of modes) summarize(`${mode} x${CONCURRENCY}/turn`, burst.get(mode)!);
    for (const mode of modes) summarize(`${mode} serial`, serial.get(mode)!);
  } finally {
    for (const store of stores.values()) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
