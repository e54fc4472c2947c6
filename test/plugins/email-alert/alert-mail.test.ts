import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { openStore } from '../../../src/store/open-store';
import { fixture, startTestService, type TestService } from '../../helpers/service';
import { TestSmtpServer, addressesOf } from '../../mail/smtp-test-server';
import { QUERY, repoPluginConfig, startAlertService, systemDestroy, waitForDeliveries } from './alert-service';

describe('email-alert plugin, through the running service', () => {
  let smtp: TestSmtpServer;
  const services: TestService[] = [];
  const start = async (...args: Parameters<typeof startAlertService>): Promise<TestService> => {
    const svc = await startAlertService(...args);
    services.push(svc);
    return svc;
  };

  beforeEach(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterEach(async () => {
    for (const svc of services.splice(0)) await svc.stop();
    await smtp.stop();
  });

  async function postOk(svc: TestService, body: unknown): Promise<void> {
    const res = await svc.post(body, QUERY);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  it('mails a DestroyBySystem: subject with room and reason, recipients, both bodies, and says there were no statistics', async () => {
    const svc = await start(smtp);
    await postOk(svc, fixture('destroy-room.production-capture.json'));

    const [mail] = await smtp.waitForMessages(1);
    const { parsed } = mail;
    expect(parsed.subject).to.equal('[livehook] Room "夏季40度" (436) dissolved by the system (left empty)');
    expect(mail.envelope.to).to.deep.equal(['ops@example.com', 'oncall@example.com']);
    expect(addressesOf(parsed.to)).to.deep.equal(['ops@example.com', 'oncall@example.com']);
    expect(parsed.from?.value[0].address).to.equal('livehook@localhost');
    expect(parsed.messageId).to.match(/^<alert\.[0-9a-f]{32}@localhost>$/);

    const text = parsed.text ?? '';
    expect(text).to.contain('Room "夏季40度" (436) was dissolved by the system (left empty).');
    expect(text).to.match(/Room name: +夏季40度\n/);
    expect(text).to.match(/Room id: +436\n/);
    expect(text).to.match(/Owner: +10100015411\n/);
    expect(text).to.match(/Operator: +@TIM#SYSTEM\n/);
    expect(text).to.match(/Event: +DestroyBySystem\n/);
    // EventTime 1756986061775 is 11:41:01 UTC; LIVEHOOK_TIMEZONE is Asia/Shanghai here.
    // The fixture's room closed long before this test sent it: the mail says how long.
    expect(text).to.match(/Event time: +2025-09-04 19:41:01 \(Asia\/Shanghai, UTC\+08:00\), received \d+ days later\n/);
    expect(text).to.contain('Tencent sent no statistics for this room.');
    expect(text).not.to.match(/Viewers|Gifts|Likes/);

    const html = parsed.html || '';
    for (const shown of ['夏季40度', '436', '10100015411', '@TIM#SYSTEM', 'DestroyBySystem', '2025-09-04 19:41:01 (Asia/Shanghai, UTC+08:00)', 'Tencent sent no statistics for this room.']) {
      expect(html, shown).to.contain(shown);
    }
    expect(html).not.to.match(/Viewers|Gifts|Likes/);
  });

  it('shows the Statistic block when Tencent sent one, with every digit of a big owner id, and escapes the HTML', async () => {
    const svc = await start(smtp);
    // Edited as text: the seed's Owner_Account is a bare 18-digit number, which JSON.parse would round.
    const seed = fixture('destroy-room.seed-example.json');
    expect(seed).to.contain('"Owner_Account": 144115216631667826,');
    const body = seed
      .replace('"EventType":"DestroyByUser"', '"EventType":"DestroyBySystem"')
      .replace('"RoomName": "live name"', `"RoomName": ${JSON.stringify('<b>Tom & "Jerry"</b>')}`)
      .replace(/"Statistic": \{[^}]*\}/, '"Statistic": {"TotalViewers": 1234, "TotalGiftsSent": 56, "TotalGiftCoins": 7890, "TotalUniqueGiftSenders": 12, "TotalLikesReceived": 3456}');
    expect(body).to.contain('DestroyBySystem').and.contain('Jerry').and.contain('3456');
    await postOk(svc, body);

    const [{ parsed }] = await smtp.waitForMessages(1);
    expect(parsed.subject).to.equal('[livehook] Room "<b>Tom & "Jerry"</b>" (tandy-test-rest) dissolved by the system (left empty)');
    const text = parsed.text ?? '';
    expect(text).to.match(/Owner: +144115216631667826\n/);
    expect(text).to.match(/Viewers \(entries\): +1234\n/);
    expect(text).to.match(/Gifts sent: +56\n/);
    expect(text).to.match(/Gift coins: +7890\n/);
    expect(text).to.match(/Unique gift senders: +12\n/);
    expect(text).to.match(/Likes received: +3456/);
    expect(text).not.to.contain('no statistics');

    const html = parsed.html || '';
    expect(html).to.contain('&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;');
    expect(html).not.to.contain('<b>Tom');
    expect(html).to.contain('144115216631667826');
    for (const [label, value] of [['Viewers (entries)', '1234'], ['Gifts sent', '56'], ['Gift coins', '7890'], ['Unique gift senders', '12'], ['Likes received', '3456']]) {
      expect(html).to.match(new RegExp(`${label.replace(/[()]/g, '\\$&')}</th><td[^>]*>${value}</td>`));
    }
  });

  it('keeps a room name with line breaks or a bidi override on one line of the text part (no lines of its own)', async () => {
    const svc = await start(smtp);
    const body = fixture('destroy-room.seed-example.json')
      .replace('"EventType":"DestroyByUser"', '"EventType":"DestroyBySystem"')
      .replace('"RoomName": "live name"', `"RoomName": ${JSON.stringify('Party\r\nBcc: evil@example.com\nhttps://evil.example/login \u202egnp.exe')}`);
    await postOk(svc, body);
    const [{ parsed }] = await smtp.waitForMessages(1);
    const text = parsed.text ?? '';
    expect(text.split('\n').filter((line) => /^(Bcc:|https:\/\/evil)/.test(line))).to.deep.equal([]);
    expect(text).to.contain('Party  Bcc: evil@example.com https://evil.example/login \ufffdgnp.exe');
    expect(text).not.to.contain('\u202e');
    expect(parsed.bcc).to.equal(undefined);
  });

  it('sends nothing for DestroyByUser (only the system dissolving a room is news)', async () => {
    const svc = await start(smtp);
    await postOk(svc, fixture('destroy-room.seed-example.json')); // DestroyByUser
    await postOk(svc, systemDestroy('after-the-user-one'));
    // Events reach the plugin in order: once the second has its mail, the first was handled.
    // And once the plugin is idle, every mail it sent is on the server (it keeps a mail before answering it).
    await smtp.waitForMessages(1);
    await svc.waitForIdle();
    expect(smtp.received.map((m) => m.parsed.subject)).to.deep.equal(['[livehook] Room "Room after-the-user-one" (after-the-user-one) dissolved by the system (left empty)']);
  });

  it('sends one mail for a callback Tencent sent twice', async () => {
    const svc = await start(smtp);
    await postOk(svc, systemDestroy('twice'));
    await postOk(svc, systemDestroy('twice'));
    await postOk(svc, systemDestroy('once'));
    await smtp.waitForMessages(2);
    await svc.waitForIdle();
    expect(smtp.received.map((m) => m.parsed.subject)).to.deep.equal([
      '[livehook] Room "Room twice" (twice) dissolved by the system (left empty)',
      '[livehook] Room "Room once" (once) dissolved by the system (left empty)',
    ]);
  });

  it('does not mail again when an event is redelivered after a crash (its "sent" record survives)', async () => {
    const first = await start(smtp);
    await postOk(first, systemDestroy('before-crash'));
    await smtp.waitForMessages(1);
    await first.waitForIdle();
    const dataDir = first.dataDir;
    await first.stop();
    services.splice(services.indexOf(first), 1);

    // What a crash before the cursor was saved looks like: the plugin's cursor is behind the event.
    const store = await openStore({ dataDir });
    await store.setCursor('email-alert', 0);
    await store.close();

    const second = await start(smtp, { dataDir });
    await postOk(second, systemDestroy('after-restart'));
    await smtp.waitForMessages(2);
    await second.waitForIdle();
    expect(smtp.received.map((m) => m.parsed.subject)).to.deep.equal([
      '[livehook] Room "Room before-crash" (before-crash) dissolved by the system (left empty)',
      '[livehook] Room "Room after-restart" (after-restart) dissolved by the system (left empty)',
    ]);
  });

  it('retries while the SMTP server is down and delivers once it is back', async () => {
    const svc = await start(smtp);
    await smtp.stop();
    await postOk(svc, systemDestroy('while-smtp-down'));

    const rows = await waitForDeliveries(svc, (r) => r.length === 1 && r[0].attempts >= 2, 'the alert to be retried');
    expect(rows[0].status).to.equal('retrying');
    expect(rows[0].lastError).to.contain('ECONNREFUSED');

    await smtp.restart();
    const [mail] = await smtp.waitForMessages(1);
    expect(mail.parsed.subject).to.contain('(while-smtp-down)');
    await svc.waitForIdle();
    expect(await svc.service.store.listDeliveries({ plugin: 'email-alert' })).to.deep.equal([]);
    expect(smtp.received).to.have.length(1);
  });

  it('retries a temporary refusal (4xx) until the server takes the mail', async () => {
    const svc = await start(smtp);
    smtp.refusal = { at: 'rcpt', code: 451, message: '4.7.1 Greylisted, come back later' };
    await postOk(svc, systemDestroy('greylisted'));
    const rows = await waitForDeliveries(svc, (r) => r.length === 1 && r[0].attempts >= 2, 'the alert to be retried');
    expect(rows[0].status).to.equal('retrying');
    expect(rows[0].lastError).to.contain('451 4.7.1 Greylisted, come back later');
    smtp.refusal = null;
    await smtp.waitForMessages(1);
    await svc.waitForIdle();
    expect(await svc.service.store.listDeliveries({ plugin: 'email-alert' })).to.deep.equal([]);
  });

  it('gives up at once on a permanent refusal (5xx), recording the server\'s reply', async () => {
    const svc = await start(smtp);
    smtp.refusal = { at: 'rcpt', code: 550, message: '5.1.1 <ops@example.com>: Recipient address rejected: User unknown' };
    await postOk(svc, systemDestroy('refused'));

    const [row] = await waitForDeliveries(svc, (r) => r.length === 1 && r[0].status === 'dead', 'the delivery to go dead');
    expect(row.attempts).to.equal(1);
    expect(row.nextAttemptAt).to.equal(null);
    expect(row.lastError).to.contain('550 5.1.1 <ops@example.com>: Recipient address rejected: User unknown');
    expect(smtp.received).to.have.length(0);
  });

  it('writes .eml files to <data dir>/outbox when no SMTP server is configured, and logs where', async () => {
    const svc = await start(null);
    await postOk(svc, fixture('destroy-room.production-capture.json'));
    await svc.waitForIdle();

    const outbox = path.join(svc.dataDir, 'outbox');
    const files = fs.readdirSync(outbox);
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/\.eml$/);
    const parsed = await simpleParser(fs.readFileSync(path.join(outbox, files[0])));
    expect(parsed.subject).to.equal('[livehook] Room "夏季40度" (436) dissolved by the system (left empty)');
    expect(addressesOf(parsed.to)).to.deep.equal(['ops@example.com', 'oncall@example.com']);
    expect(parsed.text).to.contain('Tencent sent no statistics for this room.');
    const where = svc.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes(`mail is written as .eml files to ${path.resolve(outbox)}`));
    expect(where).to.have.length(1);
  });

  it('works out of the box with no SMTP server and no recipients: the outbox gets the alert, unaddressed, with a warning', async () => {
    const svc = await start(null, { env: { LIVEHOOK_ALERT_TO: undefined } });
    expect(svc.logs.some((l) => l.level === 'warn' && String(l.msg).includes('no alert recipients configured'))).to.equal(true);
    await postOk(svc, systemDestroy('nobody-told'));
    await svc.waitForIdle();
    const files = fs.readdirSync(path.join(svc.dataDir, 'outbox'));
    expect(files).to.have.length(1);
  });

  it('takes its own recipients, event types and templates from its options', async () => {
    const svc = await start(smtp, {
      plugin: {
        to: ['night-shift@example.com'],
        eventTypes: ['DestroyBySystem', 'DestroyByUser'],
        subject: 'ROOM {{roomId}} / {{ eventType }}',
        text: 'Owner {{owner}} at {{eventTime}}\n{{statistics}}\n',
        html: '<p>{{roomName}}</p>{{statistics}}',
      },
    });
    await postOk(svc, fixture('destroy-room.seed-example.json')); // DestroyByUser, all-zero statistics as sent
    const [{ parsed, envelope }] = await smtp.waitForMessages(1);
    expect(envelope.to).to.deep.equal(['night-shift@example.com']);
    expect(parsed.subject).to.equal('ROOM tandy-test-rest / DestroyByUser');
    expect(parsed.text).to.match(/^Owner 144115216631667826 at 2023-12-26 19:25:22 \(Asia\/Shanghai, UTC\+08:00\), received \d+ days later\n {2}Viewers \(entries\): +0\n/);
    expect(parsed.html).to.match(/^<p>live name<\/p><table/);
  });

  it('follows other commands when told to, with any event type (TUIRoomKit sends none)', async () => {
    const svc = await start(smtp, { plugin: { commands: ['Room.CallbackAfterDestroyRoom'], eventTypes: '*' } });
    await postOk(svc, fixture('destroy-room.production-capture.json')); // Live.* is no longer in the list
    await postOk(svc, fixture('room-destroy-roomkit.json'));
    const [{ parsed }] = await smtp.waitForMessages(1);
    expect(parsed.subject).to.equal('[livehook] Room "(no name)" (tandy-test-rest) dissolved');
    expect(parsed.text).to.match(/Operator: +admin\n/);
    expect(parsed.text).to.match(/Event: +\(none\)\n/);
    await svc.waitForIdle();
    expect(smtp.received).to.have.length(1);
  });

  describe('refuses to start, naming the problem', () => {
    async function startError(options: Parameters<typeof startAlertService>[1]): Promise<string> {
      try {
        services.push(await startAlertService(smtp, options));
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected the service not to start');
    }

    it('when no one would receive the alerts from an SMTP server', async () => {
      const message = await startError({ env: { LIVEHOOK_ALERT_TO: undefined } });
      expect(message).to.contain('email-alert').and.contain('no one to send alerts to').and.contain('LIVEHOOK_ALERT_TO');
    });

    it('when an alert address is not an address', async () => {
      expect(await startError({ env: { LIVEHOOK_ALERT_TO: 'ops@example.com, ops-at-example.com' } })).to.contain('"ops-at-example.com" is not a valid e-mail address');
      expect(await startError({ plugin: { to: ['night shift'] } })).to.contain('email-alert.json: to[0]: "night shift" is not a valid e-mail address');
    });

    it('when a template uses a placeholder that does not exist', async () => {
      const message = await startError({ plugin: { subject: 'Room {{room}} closed' } });
      expect(message).to.contain('email-alert.json').and.contain('subject: uses unknown placeholder "room"').and.contain('known placeholders: roomId, roomName');
    });
  });

  it('keeps its config file granting exactly what the manifest asks for', async () => {
    const config = repoPluginConfig();
    expect(config.enabled).to.equal(true);
    expect(config.capabilities).to.deep.equal(['mailer', 'store']);
    // Without the grant the service refuses to start and says which capability is missing.
    let message = '';
    try {
      services.push(await startTestService({ onlyPlugins: ['email-alert'], plugins: { 'email-alert': { ...config, capabilities: ['store'] } }, env: { LIVEHOOK_ALERT_TO: 'ops@example.com' } }));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.contain('plugin "email-alert" asks for capability "mailer"');
  });
});
