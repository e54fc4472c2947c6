import { expect } from 'chai';
import { startChildService } from '../../helpers/child-service';
import { post, tempDir, waitFor, writeConfigDir, type TestService } from '../../helpers/service';
import { TestSmtpServer } from '../../mail/smtp-test-server';
import { createLogger } from '../../../src/log/logger';
import { openStore } from '../../../src/store/open-store';
import { ALERT_TO, QUERY, repoPluginConfig, sleep, startAlertService, systemDestroy } from './alert-service';

/** The rooms a mail is about: the id in parentheses after each quoted room name. */
function roomIdsIn(text: string): string[] {
  return [...text.matchAll(/"Room ([\w-]+)" \(\1\)/g)].map((m) => m[1]);
}

// The windows themselves (maxAlerts, the digest at the window's end, a fresh
// window after it) are tested on a fake clock in storm-windows.test.ts; here
// what needs the running service: restarts, SIGKILL, an SMTP server that is down.
describe('email-alert storm control, through the running service', function () {
  // Storm windows of a few seconds, and one test starts livehook as a child process.
  this.timeout(40_000);
  let smtp: TestSmtpServer;
  const services: TestService[] = [];
  const start = async (...args: Parameters<typeof startAlertService>): Promise<TestService> => {
    const svc = await startAlertService(...args);
    services.push(svc);
    return svc;
  };
  async function postRooms(svc: TestService, ids: string[]): Promise<void> {
    for (const id of ids) {
      const res = await svc.post(systemDestroy(id), QUERY);
      expect(res.status).to.equal(200);
    }
  }

  beforeEach(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterEach(async () => {
    for (const svc of services.splice(0)) await svc.stop();
    await smtp.stop();
  });

  it('sends the digest after a restart when livehook stopped with rooms held (nothing is lost)', async () => {
    const windowMs = 4000;
    const options = { plugin: { storm: { maxAlerts: 1, windowMinutes: windowMs / 60_000 } } };
    const first = await start(smtp, options);
    const opened = Date.now();
    await postRooms(first, ['r1', 'r2', 'r3']);
    await first.waitForIdle();
    await smtp.waitForMessages(1);
    const dataDir = first.dataDir;
    await first.stop();
    services.splice(services.indexOf(first), 1);
    expect(Date.now() - opened, 'stopped before the window ended').to.be.below(windowMs);
    expect(smtp.received).to.have.length(1);

    // Back after the window ended: the digest goes out at start.
    await sleep(Math.max(0, opened + windowMs + 200 - Date.now()));
    await start(smtp, { ...options, dataDir });
    const [, digest] = await smtp.waitForMessages(2, 3000);
    expect(roomIdsIn(digest.parsed.text ?? '')).to.deep.equal(['r2', 'r3']);
    await sleep(500);
    expect(smtp.received).to.have.length(2);
  });

  it('sends the digest after livehook was killed (SIGKILL) with rooms held for it', async () => {
    const windowMs = 6000;
    const plugin = { ...repoPluginConfig(), storm: { maxAlerts: 1, windowMinutes: windowMs / 60_000 } };
    const dataDir = tempDir('livehook-data-');
    const configDir = writeConfigDir({ onlyPlugins: ['email-alert'], plugins: { 'email-alert': plugin } });
    const child = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir, LIVEHOOK_SMTP_URL: smtp.url, LIVEHOOK_ALERT_TO: ALERT_TO });
    const opened = Date.now();
    try {
      for (const id of ['k1', 'k2', 'k3']) expect((await post(child.url, systemDestroy(id), QUERY)).status).to.equal(200);
      await smtp.waitForMessages(1);
      await waitFor(() => (child.stderr.join('').match(/is held for the digest/g) ?? []).length === 2, 5000, 'both later rooms to be held for the digest');
    } finally {
      await child.kill('SIGKILL');
    }
    expect(Date.now() - opened, 'killed before the window ended').to.be.below(windowMs);
    expect(smtp.received).to.have.length(1);

    await sleep(Math.max(0, opened + windowMs + 200 - Date.now()));
    const svc = await start(smtp, { dataDir, plugin: { storm: plugin.storm } });
    const [, digest] = await smtp.waitForMessages(2, 5000);
    expect(roomIdsIn(digest.parsed.text ?? '')).to.deep.equal(['k2', 'k3']);
    // Events the killed process had not yet marked done are delivered again: still no extra mail.
    await svc.waitForIdle();
    await sleep(500);
    expect(smtp.received).to.have.length(2);
  });

  it('deletes alert and digest records older than keepDays at start, but not the rooms of a digest still to send', async () => {
    const DAY = 86_400_000;
    const now = Date.now();
    const dataDir = tempDir();
    const room = (roomId: string) => ({ eventId: roomId, command: 'Live.CallbackAfterDestroyRoom', roomId, roomName: `Room ${roomId}`, owner: null, operator: null, eventType: 'DestroyBySystem', eventTime: now, sdkAppId: null, statistic: null });
    const store = await openStore({ dataDir, logger: createLogger('silent') });
    const records = store.records('email-alert');
    await records.put('alerts', 'old-single', now - 100 * DAY, { kind: 'single', windowStart: now - 100 * DAY, sentAt: now - 100 * DAY, messageId: 'm1', room: room('old') });
    await records.put('alerts', 'recent-single', now - DAY, { kind: 'single', windowStart: now - DAY, sentAt: now - DAY, messageId: 'm2', room: room('recent') });
    await records.put('digests', String(now - 100 * DAY), now - 100 * DAY, { start: now - 100 * DAY, end: now - 100 * DAY + 60_000, sentAt: now, messageId: 'm3', rooms: ['x'] });
    // A digest that never went out (the SMTP server is down): its room is kept, however old.
    const held = now - 95 * DAY;
    await records.put('pending-digests', String(held), held, { start: held, end: held + 60_000 });
    await records.put('alerts', 'held', held + 1000, { kind: 'digest', windowStart: held, sentAt: null, messageId: null, room: room('held') });
    await store.close();

    await smtp.stop();
    // Short windows: the digest is retried every few hundred ms.
    const svc = await start(smtp, { dataDir, plugin: { keepDays: 90, storm: { maxAlerts: 10, windowMinutes: 0.05 } } });
    await waitFor(() => svc.logs.some((l) => String(l.msg).startsWith('deleted alert records older than 90 days')), 5000, 'the old records to be deleted');
    expect(svc.logs.find((l) => String(l.msg).startsWith('deleted alert records'))).to.include({ alerts: 1, digests: 1 });
    const left = svc.service.store.records('email-alert');
    expect(await left.get('alerts', 'old-single')).to.equal(null);
    expect(await left.get('digests', String(now - 100 * DAY))).to.equal(null);
    expect(await left.get('alerts', 'recent-single')).not.to.equal(null);
    expect(await left.get('alerts', 'held')).not.to.equal(null);

    // Once the server is back, the held room still gets its digest.
    await smtp.restart();
    const [digest] = await smtp.waitForMessages(1, 10_000);
    expect(roomIdsIn(digest.parsed.text ?? '')).to.deep.equal(['held']);
  });

  it('keeps trying the digest while the SMTP server is down, and sends it once it is back', async () => {
    const windowMs = 1500;
    const svc = await start(smtp, { plugin: { storm: { maxAlerts: 1, windowMinutes: windowMs / 60_000 } } });
    await postRooms(svc, ['d1', 'd2', 'd3']);
    await smtp.waitForMessages(1);
    await smtp.stop();

    const failures = () => svc.logs.filter((l) => String(l.msg).includes('storm digest could not be sent'));
    await waitFor(() => failures().length >= 1, windowMs + 5000, 'the digest to be attempted while the server is down');
    expect(JSON.stringify(failures()[0])).to.contain('ECONNREFUSED');

    await smtp.restart();
    const [, digest] = await smtp.waitForMessages(2, 5000);
    expect(roomIdsIn(digest.parsed.text ?? '')).to.deep.equal(['d2', 'd3']);
    expect(digest.envelope.to).to.deep.equal(['ops@example.com', 'oncall@example.com']);
  });
});
