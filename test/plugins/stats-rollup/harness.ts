/**
 * The stats-rollup plugin prepared as its isolate prepares it (config files,
 * manifest, options, child container with the real capabilities: SQLite
 * store in a temp dir, reports folder, cron scheduler, outbox mailer), but in
 * this thread and without HTTP or a delivery loop, so tests can hand it
 * events one by one and read the reports it writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildEvent } from '../../../src/callbacks/build-event';
import type { CallbackEvent } from '../../../src/callbacks/event';
import { loadConfig } from '../../../src/config/load-config';
import { createLogger } from '../../../src/log/logger';
import { LocalPlugin } from '../../../src/isolate/inside/plugin-instance';
import { buildPluginScope } from '../../../src/isolate/inside/plugin-scope';
import { preparePlugin } from '../../../src/isolate/inside/prepare-plugin';
import { openCompileLine } from '../../../src/isolate/compile-bridge';
import type { IsolateSpec } from '../../../src/isolate/protocol';
import { LogHead, IsolateBoard } from '../../../src/isolate/shared-state';
import { planPlugins } from '../../../src/pipeline/plan-plugins';
import { openStore } from '../../../src/store/open-store';
import type { Store } from '../../../src/store/store';
import { tempDir, writeConfigDir } from '../../helpers/service';

export interface Rollup {
  dataDir: string;
  store: Store;
  plugin: LocalPlugin;
  logs: Array<Record<string, unknown>>;
  /** Hands one destroy-room body to the plugin as the dispatcher would; returns the event. */
  deliver(body: Record<string, unknown>, options?: { receivedAt?: number; attempt?: number }): Promise<CallbackEvent>;
  /** Runs the plugin's 'report' task (what `livehook report --date` does). */
  build(date: string): Promise<string | void>;
  /** The report JSON as written, or null. */
  report(date: string): any;  
  html(date: string): string | null;
  close(): Promise<void>;
}

export async function startRollup(opts: { timezone: string; options?: Record<string, unknown>; dataDir?: string; env?: Record<string, string> }): Promise<Rollup> {
  const configDir = writeConfigDir({
    onlyPlugins: ['stats-rollup'],
    // A far-away schedule: these tests build days themselves.
    plugins: { 'stats-rollup': { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'], schedule: '0 0 1 1 *', ...opts.options } },
  });
  const dataDir = opts.dataDir ?? tempDir('livehook-rollup-');
  const config = loadConfig({ configDir, env: { LIVEHOOK_DATA_DIR: dataDir, LIVEHOOK_TIMEZONE: opts.timezone, ...opts.env } });
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  }));
  const store = await openStore({ dataDir, logger });
  const plan = planPlugins(config).find((p) => p.name === 'stats-rollup');
  if (!plan || plan.state !== 'enabled') throw new Error('stats-rollup is not enabled');
  const service = config.service;
  const compileLine = openCompileLine(); // (this thread compiles for itself: the line is never used)
  const spec: IsolateSpec = {
    mode: 'task',
    found: plan.found,
    settings: plan.settings,
    service: { dataDir: service.dataDir, timezone: service.timezone, publicUrl: null, mail: service.mail, logLevel: 'info', delivery: { timeoutMs: service.delivery.timeoutMs, retry: service.delivery.retry, batchSize: service.delivery.batchSize, batchBytes: service.delivery.batchBytes, leaseMs: service.delivery.leaseMs } },
    instanceId: `test-${process.pid}`,
    useLeases: false,
    head: LogHead.create().buffer,
    board: IsolateBoard.create(1).buffer,
    logTo: 'parent',
    compile: compileLine.line,
    initGate: false,
  };
  const prepared = preparePlugin(plan.found, plan.settings);
  const pluginLogger = logger.child({ plugin: 'stats-rollup' });
  const plugin = await LocalPlugin.create(prepared, buildPluginScope(spec, prepared, store, pluginLogger, { mail: () => undefined, cronRunDone: () => undefined }));
  await plugin.init();
  let seq = 0;
  const reportsDir = path.join(dataDir, 'reports');
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null);

  return {
    dataDir,
    store,
    plugin,
    logs,
    async deliver(body, options = {}) {
      const event = buildEvent({ raw: JSON.stringify(body), query: { SdkAppid: '1400000001' }, receivedAt: options.receivedAt ?? Date.now() });
      await plugin.handle(event, { idempotencyKey: event.id, attempt: options.attempt ?? 1, seq: ++seq, signal: new AbortController().signal });
      return event;
    },
    build: (date) => plugin.runTask('report', { date }),
    report(date) {
      const text = read(path.join(reportsDir, `${date}.json`));
      return text === null ? null : JSON.parse(text);
    },
    html: (date) => read(path.join(reportsDir, `${date}.html`)),
    async close() {
      compileLine.close();
      await plugin.close();
      await store.close();
    },
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
