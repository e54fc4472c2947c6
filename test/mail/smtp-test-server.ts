/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 for tests:
 * it keeps every message it accepted, parsed with mailparser, and can be
 * told to refuse (a 4xx or 5xx reply at RCPT TO or DATA), to go away and to
 * come back on the same port.
 */
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  raw: string;
}

export interface Refusal {
  code: number;
  message: string;
  /** Which step refuses: every recipient, or the message after DATA. */
  at: 'rcpt' | 'data';
  /** Only refuse these recipients (rcpt only); default all. */
  recipients?: string[];
}

export interface TestSmtpOptions {
  /** Require AUTH with exactly this user and password. */
  auth?: { user: string; pass: string };
  /** Offer STARTTLS, with smtp-server's built-in certificate (expired, and no CA signed it). */
  starttls?: boolean;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Set to make the server refuse; null accepts everything. */
  refusal: Refusal | null = null;
  /** How long the server takes to answer a message's DATA (a slow relay). */
  dataDelayMs = 0;
  private server: SMTPServer | null = null;
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly options: TestSmtpOptions,
    public port: number,
  ) {}

  static async start(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(options, 0);
    await smtp.listen();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once at least `count` messages have arrived. */
  async waitForMessages(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} message(s) on the test SMTP server, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  /** Stop listening (connections refused) but remember the port for restart(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listen again on the same port, as a mail server back from maintenance. */
  async restart(): Promise<void> {
    if (!this.server) await this.listen();
  }

  private async listen(): Promise<void> {
    const config: SMTPServerOptions = {
      logger: false,
      // No reverse DNS lookup of 127.0.0.1 per connection: tests must not depend on a resolver.
      disableReverseLookup: true,
      disabledCommands: [...(this.options.starttls ? [] : ['STARTTLS']), ...(this.options.auth ? [] : ['AUTH'])],
      authOptional: !this.options.auth,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        const want = this.options.auth;
        if (want && auth.username === want.user && auth.password === want.pass) return callback(null, { user: auth.username });
        return callback(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refusal;
        if (refusal?.at === 'rcpt' && (!refusal.recipients || refusal.recipients.includes(address.address))) {
          return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        }
        return callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const refusal = this.refusal;
          if (refusal?.at === 'data') return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const envelope = {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              };
              // Kept before the reply: once a sender's send() has returned, its mail is in `received`.
              setTimeout(() => {
                this.received.push({ envelope, parsed, raw: raw.toString('utf8') });
                for (const wake of this.waiters.splice(0)) wake();
                callback(null, `Queued as test-${this.received.length}`);
              }, this.dataDelayMs);
            },
            (err: Error) => callback(err),
          );
        });
      },
    };
    const server = new SMTPServer(config);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
  }
}

/** The addresses of a parsed To/Cc header, lower-cased. */
export function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((group) => group.value.map((a) => (a.address ?? '').toLowerCase()));
}
