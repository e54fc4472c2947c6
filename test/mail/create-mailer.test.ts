import { expect } from 'chai';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { PermanentError } from '../../src/errors';
import { createMailer } from '../../src/mail/create-mailer';
import { parseMailSettings } from '../../src/mail/mail-settings';
import type { Mailer } from '../../src/pipeline/capability-types';
import { captureLogger } from './capture-logger';
import { TestSmtpServer, addressesOf, type TestSmtpOptions } from './smtp-test-server';

type ClosableMailer = Mailer & { close(): void };

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the send to fail, it succeeded');
}

describe('createMailer', () => {
  let dataDir: string;
  const open: ClosableMailer[] = [];
  const servers: TestSmtpServer[] = [];

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'livehook-mail-'));
  });
  afterEach(async () => {
    for (const mailer of open.splice(0)) mailer.close();
    for (const server of servers.splice(0)) await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  function mailer(settings: Record<string, unknown>): { mailer: ClosableMailer; lines: ReturnType<typeof captureLogger>['lines'] } {
    const { logger, lines } = captureLogger();
    const made = createMailer(parseMailSettings({ connectionTimeoutMs: 2000, greetingTimeoutMs: 2000, ...settings }), { dataDir, logger });
    open.push(made);
    return { mailer: made, lines };
  }
  async function smtp(options?: TestSmtpOptions): Promise<TestSmtpServer> {
    const server = await TestSmtpServer.start(options);
    servers.push(server);
    return server;
  }

  describe('with an SMTP server', () => {
    it('delivers to the default recipients with both bodies and the given Message-ID', async () => {
      const server = await smtp();
      const { mailer: m } = mailer({ smtpUrl: server.url, from: 'livehook <alerts@example.com>', alertTo: 'ops@example.com, Oncall <oncall@example.com>' });
      expect(m.transport).to.equal('smtp');
      expect(m.defaultTo).to.deep.equal(['ops@example.com', 'Oncall <oncall@example.com>']);

      const result = await m.send({ subject: 'Room 436 closed', text: 'plain body', html: '<p>html body</p>', messageId: '<k1@livehook.test>' });

      expect(result.transport).to.equal('smtp');
      expect(result.messageId).to.equal('<k1@livehook.test>');
      expect(result.accepted).to.deep.equal(['ops@example.com', 'oncall@example.com']);
      expect(result.rejected).to.deep.equal([]);
      expect(result.response).to.match(/^250 /);
      const [mail] = await server.waitForMessages(1);
      expect(mail.envelope).to.deep.equal({ from: 'alerts@example.com', to: ['ops@example.com', 'oncall@example.com'] });
      expect(mail.parsed.subject).to.equal('Room 436 closed');
      expect(mail.parsed.text?.trim()).to.equal('plain body');
      expect(mail.parsed.html).to.contain('<p>html body</p>');
      expect(mail.parsed.messageId).to.equal('<k1@livehook.test>');
      expect(addressesOf(mail.parsed.to)).to.deep.equal(['ops@example.com', 'oncall@example.com']);
    });

    it('warns at start when SMTP is configured but From is still the livehook@localhost default', async () => {
      const server = await smtp();
      const warnings = (settings: Record<string, unknown>) => mailer({ smtpUrl: server.url, ...settings }).lines.filter((l) => l.level === 40).map((l) => l.msg);
      expect(warnings({})).to.deep.equal(['mail is sent From "livehook <livehook@localhost>", which many SMTP servers refuse (550/553): set "mail.from" in config/livehook.json to an address the server accepts']);
      expect(warnings({ from: 'alerts@example.com' })).to.deep.equal([]);
    });

    it('sends to the message\'s own recipients when it names them', async () => {
      const server = await smtp();
      const { mailer: m } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com'] });
      await m.send({ to: 'someone@example.com', subject: 's', text: 't' });
      const [mail] = await server.waitForMessages(1);
      expect(mail.envelope.to).to.deep.equal(['someone@example.com']);
    });

    it('logs in with host/port/auth settings instead of a URL', async () => {
      const server = await smtp({ auth: { user: 'livehook', pass: 's3cret' } });
      const { mailer: m } = mailer({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'livehook', pass: 's3cret' }, alertTo: ['ops@example.com'] });
      await m.send({ subject: 'via host settings', text: 't' });
      const [mail] = await server.waitForMessages(1);
      expect(mail.parsed.subject).to.equal('via host settings');
    });

    it('throws a PermanentError carrying the server\'s reply when it refuses for good (5xx)', async () => {
      const server = await smtp();
      server.refusal = { at: 'rcpt', code: 550, message: '5.1.1 <ops@example.com>: Recipient address rejected: User unknown' };
      const { mailer: m } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com'] });

      const err = await rejectionOf(m.send({ subject: 's', text: 't' }));

      expect(err).to.be.instanceOf(PermanentError);
      expect(err.message).to.contain(`SMTP server 127.0.0.1:${server.port} refused the mail for good`);
      expect(err.message).to.contain('550 5.1.1 <ops@example.com>: Recipient address rejected: User unknown');
      expect((err as PermanentError).details).to.include({ smtpCode: 550 });
      expect(server.received).to.have.length(0);
    });

    it('treats a 5xx after DATA (content refused) as permanent too', async () => {
      const server = await smtp();
      server.refusal = { at: 'data', code: 554, message: '5.7.1 Message rejected as spam' };
      const { mailer: m } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com'] });
      const err = await rejectionOf(m.send({ subject: 's', text: 't' }));
      expect(err).to.be.instanceOf(PermanentError);
      expect(err.message).to.contain('554 5.7.1 Message rejected as spam');
    });

    it('throws a PermanentError for bad credentials (535): retrying cannot fix a wrong password', async () => {
      const server = await smtp({ auth: { user: 'livehook', pass: 'right' } });
      const { mailer: m } = mailer({ host: '127.0.0.1', port: server.port, auth: { user: 'livehook', pass: 'wrong' }, alertTo: ['ops@example.com'] });
      const err = await rejectionOf(m.send({ subject: 's', text: 't' }));
      expect(err).to.be.instanceOf(PermanentError);
      expect(err.message).to.contain('535');
      expect(err.message).not.to.contain('wrong');
    });

    it('throws a plain Error (retried) for a temporary refusal (4xx)', async () => {
      const server = await smtp();
      server.refusal = { at: 'rcpt', code: 451, message: '4.7.1 Greylisted, try again later' };
      const { mailer: m } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com'] });

      const err = await rejectionOf(m.send({ subject: 's', text: 't' }));

      expect(err).not.to.be.instanceOf(PermanentError);
      expect(err.message).to.contain('(a temporary failure, which the delivery retries while it has attempts left)');
      expect(err.message).to.contain('451 4.7.1 Greylisted, try again later');

      server.refusal = null; // the next attempt goes through
      await m.send({ subject: 's', text: 't' });
      await server.waitForMessages(1);
    });

    it('throws a plain Error when the server refuses the connection, and delivers once it is back', async () => {
      const server = await smtp();
      const { mailer: m } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com'] });
      await server.stop();

      const err = await rejectionOf(m.send({ subject: 'while down', text: 't' }));
      expect(err).not.to.be.instanceOf(PermanentError);
      expect(err.message).to.contain(`SMTP server 127.0.0.1:${server.port} did not take the mail`).and.contain('ECONNREFUSED');

      await server.restart();
      await m.send({ subject: 'while down', text: 't' });
      const [mail] = await server.waitForMessages(1);
      expect(mail.parsed.subject).to.equal('while down');
    });

    it('says when the server\'s TLS certificate is not trusted, and how an internal relay is let through', async () => {
      const server = await smtp({ starttls: true });
      const { mailer: strict } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com'] });
      const err = await rejectionOf(strict.send({ subject: 's', text: 't' }));
      expect(err).not.to.be.instanceOf(PermanentError); // a certificate renewed meanwhile: the retry goes through
      expect(err.message).to.equal(
        `SMTP server 127.0.0.1:${server.port} did not take the mail: the TLS certificate it presented is not trusted (certificate has expired, CERT_HAS_EXPIRED). ` +
          'Renew or fix the server\'s certificate; for an internal relay with a certificate of its own, set "mail": { "host": …, "port": …, "tls": { "rejectUnauthorized": false } } in livehook.json',
      );
      const { mailer: relaxed } = mailer({ host: '127.0.0.1', port: server.port, tls: { rejectUnauthorized: false }, alertTo: ['ops@example.com'] });
      await relaxed.send({ subject: 'over STARTTLS', text: 't' });
      const [mail] = await server.waitForMessages(1);
      expect(mail.parsed.subject).to.equal('over STARTTLS');
    });

    it('throws a plain Error when the server never greets (time-out)', async () => {
      const sockets = new Set<net.Socket>();
      const silent = net.createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const { mailer: m } = mailer({ smtpUrl: `smtp://127.0.0.1:${port}`, greetingTimeoutMs: 300, alertTo: ['ops@example.com'] });
        const started = Date.now();
        const err = await rejectionOf(m.send({ subject: 's', text: 't' }));
        expect(err).not.to.be.instanceOf(PermanentError);
        expect(err.message).to.contain('Greeting never received (ETIMEDOUT)');
        expect(Date.now() - started).to.be.below(3000);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('reports recipients refused among accepted ones without failing (a retry would mail the others twice)', async () => {
      const server = await smtp();
      server.refusal = { at: 'rcpt', code: 550, message: '5.1.1 User unknown', recipients: ['gone@example.com'] };
      const { mailer: m, lines } = mailer({ smtpUrl: server.url, alertTo: ['ops@example.com', 'gone@example.com'] });

      const result = await m.send({ subject: 's', text: 't' });

      expect(result.accepted).to.deep.equal(['ops@example.com']);
      expect(result.rejected).to.deep.equal(['gone@example.com']);
      expect(lines.some((l) => l.level === 40 && l.msg.includes('refused some recipients: gone@example.com'))).to.equal(true);
      const [mail] = await server.waitForMessages(1);
      expect(mail.envelope.to).to.deep.equal(['ops@example.com']);
    });

    it('refuses to send with no recipients at all, for good', async () => {
      const server = await smtp();
      const { mailer: m } = mailer({ smtpUrl: server.url });
      const err = await rejectionOf(m.send({ subject: 's', text: 't' }));
      expect(err).to.be.instanceOf(PermanentError);
      expect(err.message).to.contain('LIVEHOOK_ALERT_TO');
    });
  });

  describe('with no SMTP server configured', () => {
    it('writes an .eml file to <data dir>/outbox and says where in one log line', async () => {
      const { mailer: m, lines } = mailer({ alertTo: ['ops@example.com'], from: 'livehook <alerts@example.com>' });
      const outbox = path.join(dataDir, 'outbox');
      expect(m.transport).to.equal('outbox');
      const where = lines.filter((l) => l.msg.includes(outbox));
      expect(where).to.have.length(1);
      expect(where[0].msg).to.contain('no SMTP server configured').and.contain('.eml');

      const result = await m.send({ subject: 'Room 436 closed', text: 'plain', html: '<b>html</b>', messageId: '<k1/odd id@livehook.test>' });

      expect(result.transport).to.equal('outbox');
      expect(result.messageId).to.equal('<k1/odd id@livehook.test>');
      expect(path.dirname(result.file!)).to.equal(outbox);
      expect(path.basename(result.file!)).to.match(/^\d{8}T\d{6}Z-k1_odd_id@livehook\.test\.eml$/);
      expect(await fs.readdir(outbox)).to.deep.equal([path.basename(result.file!)]); // no temporary file left behind
      const parsed = await simpleParser(await fs.readFile(result.file!));
      expect(parsed.subject).to.equal('Room 436 closed');
      expect(parsed.from?.value).to.deep.equal([{ name: 'livehook', address: 'alerts@example.com' }]);
      expect(addressesOf(parsed.to)).to.deep.equal(['ops@example.com']);
      expect(parsed.text?.trim()).to.equal('plain');
      expect(parsed.html).to.contain('<b>html</b>');
      expect(parsed.messageId).to.equal('<k1/odd id@livehook.test>');
    });

    it('uses mail.outboxDir when given', async () => {
      const outbox = path.join(dataDir, 'elsewhere', 'mail');
      const { mailer: m } = mailer({ alertTo: ['ops@example.com'], outboxDir: outbox });
      const result = await m.send({ subject: 's', text: 't' });
      expect(path.dirname(result.file!)).to.equal(outbox);
    });

    it('still writes the mail when no recipient is configured yet, addressed to nobody', async () => {
      const { mailer: m } = mailer({});
      const result = await m.send({ subject: 's', text: 't' });
      const raw = await fs.readFile(result.file!, 'utf8');
      expect(raw).to.match(/^To: "?undisclosed-recipients"?:;/m);
    });

    it('fails with the folder named (retried) when the outbox cannot be written', async () => {
      const blocker = path.join(dataDir, 'not-a-dir');
      await fs.writeFile(blocker, 'x');
      const { mailer: m } = mailer({ alertTo: ['ops@example.com'], outboxDir: path.join(blocker, 'outbox') });
      const err = await rejectionOf(m.send({ subject: 's', text: 't' }));
      expect(err).not.to.be.instanceOf(PermanentError);
      expect(err.message).to.contain(`could not write mail to the outbox ${path.join(blocker, 'outbox')}`);
    });
  });
});
