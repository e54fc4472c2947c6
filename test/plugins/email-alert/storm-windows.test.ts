/**
 * email-alert's storm windows on a clock the test moves by hand: the plugin
 * runs in this thread (test/helpers/plugin-in-thread.ts) with its real
 * store and mailer (.eml files in the outbox), so a window of a minute takes
 * no real time. storm.test.ts covers what needs the running service: a
 * restart, SIGKILL, an SMTP server that is down.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock';
import { startPluginInThread, type PluginInThread } from '../../helpers/plugin-in-thread';
import { realSleep, waitFor } from '../../helpers/service';
import { ALERT_TO, repoPluginConfig, systemDestroy } from './alert-service';

const MINUTE = 60_000;

/** The rooms a mail is about: the id in parentheses after each quoted room name. */
function roomIdsIn(text: string): string[] {
  return [...text.matchAll(/"Room ([\w-]+)" \(\1\)/g)].map((m) => m[1]);
}

describe('email-alert storm windows, on a fake clock', function () {
  let clock: FakeClock | null = null;
  let alert: PluginInThread | null = null;

  afterEach(async () => {
    clock?.restore();
    clock = null;
    await alert?.close();
    alert = null;
  });

  async function start(storm: { maxAlerts: number; windowMinutes: number; roomsPerDigestMail?: number }): Promise<PluginInThread> {
    clock = fakeClock({ date: true, now: Date.parse('2026-03-01T10:00:00Z') });
    alert = await startPluginInThread('email-alert', { config: { ...repoPluginConfig(), storm }, timezone: 'Asia/Shanghai', env: { LIVEHOOK_ALERT_TO: ALERT_TO } });
    return alert;
  }

  /** The mails written so far, oldest first. */
  async function mails(a: PluginInThread) {
    const dir = path.join(a.dataDir, 'outbox');
    if (!fs.existsSync(dir)) return [];
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
    const parsed = await Promise.all(files.map(async (f) => ({ at: fs.statSync(path.join(dir, f)).mtimeMs, mail: await simpleParser(fs.readFileSync(path.join(dir, f))) })));
    return parsed.sort((x, y) => x.at - y.at || (x.mail.subject ?? '').localeCompare(y.mail.subject ?? '')).map((p) => p.mail);
  }

  it('past maxAlerts in a window, gathers every further room into one digest sent when the window ends', async () => {
    const a = await start({ maxAlerts: 2, windowMinutes: 1 });
    for (const id of ['s1', 's2', 's3', 's4', 's5', 's6']) {
      await a.deliver(systemDestroy(id));
      clock!.tick(10); // rooms come one after another, as in life
    }
    const first = await mails(a);
    expect(first.map((m) => roomIdsIn(m.subject ?? '')).flat().sort()).to.deep.equal(['s1', 's2']);

    // Most of the window later: still only the two.
    clock!.tick(50_000);
    await realSleep(200);
    expect(await mails(a)).to.have.length(2);

    // The window ends (and the next digest tick comes): one digest naming every other room.
    clock!.tick(20_000);
    await waitFor(async () => (await mails(a)).length === 3, 5000, 'the digest');
    const digest = (await mails(a)).find((m) => (m.subject ?? '').includes('Alert storm'))!;
    expect(digest.subject).to.match(/^\[livehook\] Alert storm: 4 more rooms dissolved between 18:00:00–18:01:00 \(Asia\/Shanghai\)$/);
    expect(roomIdsIn(digest.text ?? '')).to.deep.equal(['s3', 's4', 's5', 's6']);
    expect(digest.text).to.contain('More than 2 room alerts came in between');
    expect(digest.text).to.contain('dissolved by the system (left empty) at 2025-09-04 19:41:01 (Asia/Shanghai, UTC+08:00)');
    expect(digest.text).to.contain('owner 10100015411');
    expect(digest.text).to.contain('no statistics sent');
    const html = digest.html || '';
    for (const id of ['s3', 's4', 's5', 's6']) expect(html).to.contain(`<td style="padding:2px 10px 2px 0;vertical-align:top">${id}</td>`);
    expect(digest.messageId).to.match(/^<digest\.[0-9a-f]{32}@localhost>$/);

    // Sent once: later ticks send nothing more.
    clock!.tick(5 * MINUTE);
    await realSleep(300);
    expect(await mails(a)).to.have.length(3);
  });

  it('sends a storm larger than one mail should carry as several, each part numbered, every room listed once', async () => {
    const a = await start({ maxAlerts: 0, windowMinutes: 1, roomsPerDigestMail: 2 });
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const id of ids) {
      await a.deliver(systemDestroy(id));
      clock!.tick(10);
    }
    clock!.tick(70_000);
    await waitFor(async () => (await mails(a)).length === 3, 5000, 'the digest in three parts');
    const parts = (await mails(a)).sort((x, y) => (x.subject ?? '').localeCompare(y.subject ?? ''));
    expect(parts.map((m) => m.subject)).to.deep.equal([1, 2, 3].map((n) => `[livehook] Alert storm: 5 more rooms dissolved between 18:00:00–18:01:00 (Asia/Shanghai) (part ${n} of 3)`));
    expect(parts.map((m) => roomIdsIn(m.text ?? ''))).to.deep.equal([['p1', 'p2'], ['p3', 'p4'], ['p5']]);
    expect(parts[1].text).to.contain('This is part 2 of 3: rooms 3 to 4.').and.contain('\n3. "Room p3"');
    expect(new Set(parts.map((m) => m.messageId)).size, 'a Message-ID of its own per part').to.equal(3);

    // Sent once, all parts.
    clock!.tick(5 * MINUTE);
    await realSleep(300);
    expect(await mails(a)).to.have.length(3);
  });

  it('opens a fresh window after the storm: the next room gets a mail of its own again', async () => {
    const a = await start({ maxAlerts: 1, windowMinutes: 1 });
    await a.deliver(systemDestroy('w1'));
    await a.deliver(systemDestroy('w2'));
    clock!.tick(MINUTE + 10_000);
    await waitFor(async () => (await mails(a)).length === 2, 5000, 'the digest with w2');

    clock!.tick(MINUTE);
    await a.deliver(systemDestroy('w3'));
    const all = await mails(a);
    expect(all).to.have.length(3);
    expect(all.map((m) => m.subject)).to.include('[livehook] Room "Room w3" (w3) dissolved by the system (left empty)');
  });
});
