/**
 * What the load generator sends: distinct, signed destroy-room callbacks.
 * It shares the cores with the server it measures, so it does as little as
 * it can per request: the Sign depends only on the second (computed once
 * per second, as Tencent's would be), and a body is a template with three
 * fields spliced in.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TOKEN = 'bench-callback-token';
const SEED = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'destroy-room.seed-example.json'), 'utf8')) as Record<string, unknown>;

let pathSecond = '';
let pathOfSecond = '';
export function signedPath(): string {
  const rt = String(Math.floor(Date.now() / 1000));
  if (rt !== pathSecond) {
    const sign = crypto.createHash('sha256').update(TOKEN + rt).digest('hex');
    pathSecond = rt;
    pathOfSecond = `/callback?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterDestroyRoom&contenttype=json&ClientIP=0.0.0.0&OptPlatform=RESTAPI&RequestTime=${rt}&Sign=${sign}`;
  }
  return pathOfSecond;
}

function template(padding: number): string {
  return JSON.stringify({ ...SEED, RoomId: '@ROOM@', EventTime: '@TIME@', EventType: '@TYPE@', ...(padding > 0 ? { Padding: 'x'.repeat(padding) } : {}) })
    // keep Tencent's bare 18-digit account id in the body
    .replace('"144115216631667826"', '144115216631667826');
}

const TEMPLATES = new Map<number, string>();

/** A body for room `room`, the n-th of the run; `padding` bytes more to make it big. */
export function body(room: string, n: number, padding = 0): string {
  let t = TEMPLATES.get(padding);
  if (t === undefined) TEMPLATES.set(padding, (t = template(padding)));
  const type = n % 50 === 0 ? 'DestroyBySystem' : 'DestroyByUser';
  // EventTime is now, as in Tencent's callbacks: a room of an earlier day is a late room to
  // stats-rollup, which marks its day for a rebuild (a store write per room, as in a replay).
  return t.replace('@ROOM@', room).replace('"@TIME@"', String(Date.now())).replace('@TYPE@', type);
}

/** The size of a plain body (the seed's), for "disk bytes per callback as a multiple of the body". */
export const PLAIN_BODY_BYTES = Buffer.byteLength(body('bench-0-0', 1));
