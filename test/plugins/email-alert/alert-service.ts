/**
 * Starts the real service with only the email-alert plugin enabled (its
 * config file from the repo, options overridden per test), delivering to a
 * test SMTP server, and builds destroy-room callback bodies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, fixture, startTestService, waitFor, type TestService } from '../../helpers/service';
import type { TestSmtpServer } from '../../mail/smtp-test-server';

export const QUERY = { SdkAppid: '1400000001', CallbackCommand: 'Live.CallbackAfterDestroyRoom', contenttype: 'json', ClientIP: '0.0.0.0', OptPlatform: 'RESTAPI' };
export const ALERT_TO = 'ops@example.com, Oncall <oncall@example.com>';

export interface AlertServiceOptions {
  /** Options (and reserved keys) laid over config/plugins/email-alert.json. */
  plugin?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  dataDir?: string;
}

export function repoPluginConfig(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'config', 'plugins', 'email-alert.json'), 'utf8')) as Record<string, unknown>;
}

export function startAlertService(smtp: TestSmtpServer | null, options: AlertServiceOptions = {}): Promise<TestService> {
  return startTestService({
    onlyPlugins: ['email-alert'],
    // Quick retries, so "retried until the server is back" takes milliseconds here.
    plugins: { 'email-alert': { ...repoPluginConfig(), retry: { baseMs: 100, capMs: 400, maxAttempts: 50 }, ...options.plugin } },
    env: {
      LIVEHOOK_SMTP_URL: smtp?.url,
      LIVEHOOK_ALERT_TO: ALERT_TO,
      LIVEHOOK_TIMEZONE: 'Asia/Shanghai',
      ...options.env,
    },
    dataDir: options.dataDir,
  });
}

/** The production capture of a DestroyBySystem (no Statistic block). */
export function productionCapture(): Record<string, any> {
  return JSON.parse(fixture('destroy-room.production-capture.json'));
}

let rooms = 0;
/** A DestroyBySystem like the production capture, for another room each call. */
export function systemDestroy(roomId = `storm-${++rooms}`): Record<string, any> {
  const body = productionCapture();
  body.RoomId = roomId;
  body.RoomInfo.RoomId = roomId;
  body.RoomInfo.RoomName = `Room ${roomId}`;
  return body;
}

/** Delivery rows of the plugin, once `check` holds for them. */
export async function waitForDeliveries(svc: TestService, check: (rows: Awaited<ReturnType<TestService['service']['store']['listDeliveries']>>) => boolean, what: string) {
  let rows = await svc.service.store.listDeliveries({ plugin: 'email-alert' });
  await waitFor(
    async () => {
      rows = await svc.service.store.listDeliveries({ plugin: 'email-alert' });
      return check(rows);
    },
    10_000,
    what,
  );
  return rows;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
