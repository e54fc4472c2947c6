/**
 * Decision benchmark (issue 9): Live.CallbackBeforeSendGift with gift-guard
 * on (a blocklist, a frozen room, both caps) and the default after-plugins
 * (logging, email-alert, stats-rollup, which now records decided gifts), 50
 * connections, distinct gifts from 2,000 senders. Measured in the same run:
 * destroy-room callbacks to the same server, the baseline the gift answers
 * are compared with. Target: gift p99 < 50 ms, and every gift answered
 * within the decision budget (1,500 ms) by gift-guard, never by onError.
 */
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { body as roomBody, signedPath, TOKEN } from './ingest/callbacks';
import { settle } from './ingest/load-round';
import { livehook, removeTempDirs } from './ingest/servers';

const BUDGET_MS = 1500;
let n = 0;

function giftPath(): string {
  const rt = String(Math.floor(Date.now() / 1000));
  const sign = crypto.createHash('sha256').update(TOKEN + rt).digest('hex');
  return `/callback?SdkAppid=1400000001&CallbackCommand=Live.CallbackBeforeSendGift&contenttype=json&ClientIP=0.0.0.0&OptPlatform=RESTAPI&RequestTime=${rt}&Sign=${sign}`;
}

function giftBody(): string {
  n += 1;
  const sender = `fan-${n % 2000}`;
  const room = n % 97 === 0 ? 'frozen-room' : `room-${n % 50}`;
  return JSON.stringify({
    CallbackCommand: 'Live.CallbackBeforeSendGift',
    Operator_Account: sender,
    RoomId: room,
    GiftWater: { From_Account: n % 101 === 0 ? 'blocked-1' : sender, To_Account: ['anchor1'], Time: 1_764_000_000 + n, GiftId: 'rocket', Count: 1, Coins: 10 + (n % 500) },
  });
}

async function load(url: string, seconds: number, kind: 'gift' | 'room'): Promise<autocannon.Result & { codes: Map<number, number> }> {
  const codes = new Map<number, number>();
  const result = await autocannon({
    url,
    connections: 50,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: autocannon.Request) => {
          n += 1;
          const body = kind === 'gift' ? giftBody() : roomBody(`gift-bench-${process.pid}-${n}`, n);
          return { ...request, path: kind === 'gift' ? giftPath() : signedPath(), headers: { 'content-type': 'application/json' }, body };
        },
        onResponse: (status: number, body: string) => {
          const code = status === 200 ? (JSON.parse(body) as { ErrorCode: number }).ErrorCode : -status;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        },
      },
    ],
  } as unknown as autocannon.Options);
  return Object.assign(result, { codes });
}

function metric(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function runGiftBench(options: { rounds?: number; seconds?: number } = {}): Promise<void> {
  const rounds = options.rounds ?? 3;
  const seconds = options.seconds ?? 6;
  const server = await livehook('livehook+gift-guard', {
    plugins: {
      'gift-guard': {
        enabled: true,
        capabilities: ['store'],
        blockSenders: ['blocked-1', 'blocked-2'],
        frozenRooms: ['frozen-room'],
        maxCoinsPerSenderPerDay: 1_000_000,
        maxGiftsPerSenderPerMinute: 1000,
      },
    },
  });
  try {
    const gifts: number[] = [];
    const rooms: number[] = [];
    let maxGift = 0;
    let answered = 0;
    const codes = new Map<number, number>();
    for (let r = 0; r < rounds; r++) {
      const g = await load(server.url, seconds, 'gift');
      await settle(server.url);
      const d = await load(server.url, seconds, 'room');
      await settle(server.url);
      gifts.push(g.latency.p99);
      rooms.push(d.latency.p99);
      maxGift = Math.max(maxGift, g.latency.max);
      answered += g.requests.total;
      for (const [code, count] of g.codes) codes.set(code, (codes.get(code) ?? 0) + count);
      console.log(`round ${r + 1}: gifts ${g.requests.average.toFixed(0)} req/s p99 ${g.latency.p99} ms max ${g.latency.max} ms | destroy-room ${d.requests.average.toFixed(0)} req/s p99 ${d.latency.p99} ms`);
    }
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const overruns = metric(text, /^livehook_decision_budget_overruns_total (\d+)/gm);
    const byOnError = metric(text, /^livehook_decision_answers_total\{[^}]*by="onError"[^}]*\} (\d+)/gm);
    const decided = metric(text, /^livehook_decision_answers_total\{[^}]*\} (\d+)/gm);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const within = maxGift <= BUDGET_MS ? 1 : Number.NaN;
    console.log(`gift p99 (median of rounds) ${median(gifts)} ms, ${(median(gifts) / median(rooms)).toFixed(2)}x destroy-room's ${median(rooms)} ms in the same run (target < 50 ms)`);
    console.log(`gifts answered ${answered}, decided ${decided}; slowest ${maxGift} ms; ${Number.isNaN(within) ? 'some answers past' : 'all within'} the ${BUDGET_MS} ms budget; budget overruns ${overruns}; answered by onError ${byOnError}`);
    console.log(`answers by ErrorCode: ${[...codes].sort((a, b) => a[0] - b[0]).map(([c, k]) => `${c}: ${k}`).join(', ')}`);
  } finally {
    await server.stop();
    removeTempDirs();
  }
}
