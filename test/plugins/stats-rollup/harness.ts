/**
 * The stats-rollup plugin in this thread (test/helpers/plugin-in-thread.ts),
 * with what its tests read: the reports it writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startPluginInThread, type PluginInThread } from '../../helpers/plugin-in-thread';
import { tempDir } from '../../helpers/service';

export interface Rollup extends PluginInThread {
  /** Runs the plugin's 'report' task (what `livehook report --date` does). */
  build(date: string): Promise<string | void>;
  /** The report JSON as written, or null. */
  report(date: string): any;  
  html(date: string): string | null;
}

export async function startRollup(opts: { timezone: string; options?: Record<string, unknown>; dataDir?: string; env?: Record<string, string> }): Promise<Rollup> {
  // A far-away schedule: these tests build days themselves.
  const config = { capabilities: ['store', 'scheduler', 'reports', 'mailer'], schedule: '0 0 1 1 *', ...opts.options };
  const inThread = await startPluginInThread('stats-rollup', { config, timezone: opts.timezone, dataDir: opts.dataDir ?? tempDir('livehook-rollup-'), env: opts.env });
  const reportsDir = path.join(inThread.dataDir, 'reports');
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null);
  return {
    ...inThread,
    build: (date) => inThread.plugin.runTask('report', { date }),
    report(date) {
      const text = read(path.join(reportsDir, `${date}.json`));
      return text === null ? null : JSON.parse(text);
    },
    html: (date) => read(path.join(reportsDir, `${date}.html`)),
  };
}

let roomCounter = 0;

/** A destroy-room body like Tencent's, at a given instant; `statistic: null` leaves the block out. */
export function destroyRoom(eventTime: number, over: { roomId?: string; roomName?: string; eventType?: 'DestroyByUser' | 'DestroyBySystem'; statistic?: Record<string, number> | null } = {}): Record<string, unknown> {
  const roomId = over.roomId ?? `room-${++roomCounter}`;
  const body: Record<string, unknown> = {
    CallbackCommand: 'Live.CallbackAfterDestroyRoom',
    Operator_Account: over.eventType === 'DestroyBySystem' ? '@TIM#SYSTEM' : 'anchor-1',
    RoomId: roomId,
    EventType: over.eventType ?? 'DestroyByUser',
    EventTime: eventTime,
    RoomInfo: { RoomName: over.roomName ?? `Room ${roomId}`, RoomType: 'Live', Owner_Account: 144115216631667826n.toString() },
  };
  if (over.statistic !== null) {
    body.Statistic = { TotalViewers: 10, TotalGiftsSent: 2, TotalGiftCoins: 100, TotalUniqueGiftSenders: 1, TotalLikesReceived: 5, ...over.statistic };
  }
  return body;
}

/** The instant of a local wall-clock time in a zone, found by search (the test does not trust the code under test). */
export function localInstant(timezone: string, isoLocal: string): number {
  const [date, time] = isoLocal.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi, sFrac] = time.split(':');
  const [s, ms = '0'] = sFrac.split('.');
  const wall = Date.UTC(y, mo - 1, d, Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  // Try every quarter-hour offset from -14 h to +14 h; keep the one that reads back as the wall time.
  for (let q = -56; q <= 56; q++) {
    const t = wall - q * 15 * 60_000;
    if (fmt.format(t).replace(' ', 'T') === `${date}T${h}:${mi}:${s}`) return t;
  }
  throw new Error(`${isoLocal} does not exist in ${timezone}`);
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const tmp = (): string => tempDir('livehook-rollup-');
