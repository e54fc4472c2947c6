/**
 * The email-alert handler: one mail per dissolved room, one digest per storm.
 *
 * Everything it needs is injected by name (the tokens are plain strings), so
 * it works the same when copied into a plugin folder of your own:
 *   options  its validated options (options.ts)
 *   mailer   SMTP, or .eml files in the outbox when no server is configured
 *   store    its own durable records (storm-ledger.ts)
 *   logger   a pino logger already bound to the plugin's name
 *   context  the service's time zone, among other facts
 */
import { inject, injectable } from 'tsyringe';
import { Serial, type CallbackEvent, type Delivery, type Logger, type Mailer, type PluginContext, type PluginHandler, type PluginRecords } from 'livehook';
import { renderAlert } from './alert-mail';
import { DigestSender } from './digest-sender';
import { stableMessageId } from './message-id';
import type { AlertOptions } from './options';
import { roomFacts } from './room-facts';
import { recipientsWarning } from './recipients';
import { StormLedger, type AlertRecord } from './storm-ledger';

const DAY_MS = 24 * 60 * 60 * 1000;

@injectable()
export class EmailAlertHandler implements PluginHandler {
  private readonly ledger: StormLedger;
  private readonly digests: DigestSender;
  private readonly decisions = new Serial();
  /** Sends in progress by idempotency key: a retry that overtakes a slow send joins it. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private sendingDigests: Promise<void> | null = null;
  /** When old records were last deleted (in memory: after a restart it is done again, which is harmless). */
  private lastForget = 0;

  constructor(
    @inject('options') private readonly options: AlertOptions,
    @inject('mailer') private readonly mailer: Mailer,
    @inject('store') records: PluginRecords,
    @inject('logger') private readonly logger: Logger,
    @inject('context') private readonly context: PluginContext,
  ) {
    const windowMs = Math.round(options.storm.windowMinutes * 60_000);
    this.ledger = new StormLedger(records, { maxAlerts: options.storm.maxAlerts, windowMs });
    // Look for finished windows ten times per window (at most every 15 s). A
    // digest waits one such tick after its window (see dueDigests), so it
    // leaves within two tenths of a window of its end.
    this.tickMs = Math.min(15_000, Math.max(100, Math.floor(windowMs / 10)));
    this.digests = new DigestSender({
      ledger: this.ledger,
      mailer,
      decisions: this.decisions,
      logger,
      pluginName: context.name,
      timeZone: context.timezone,
      to: options.to,
      retryBaseMs: this.tickMs,
      roomsPerMail: options.storm.roomsPerDigestMail,
    });
  }

  init(): void {
    // (with an SMTP server and no recipient the manifest's check refused to start)
    if ((this.options.to ?? this.mailer.defaultTo).length === 0) this.logger.warn(recipientsWarning());
    this.timer = setInterval(() => this.sendDueDigests(), this.tickMs);
    this.timer.unref();
    // A digest whose window ended while livehook was down goes out now.
    this.sendDueDigests();
  }

  async handle(event: CallbackEvent, delivery: Delivery): Promise<void> {
    if (!this.wants(event)) return;
    const key = delivery.idempotencyKey;
    const running = this.inFlight.get(key);
    if (running) return running;
    const attempt = this.alert(event, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sendingDigests;
  }

  private wants(event: CallbackEvent): boolean {
    if (!this.options.commands.includes(event.command)) return false;
    const types = this.options.eventTypes;
    return types === '*' || (event.eventType !== null && types.includes(event.eventType));
  }

  private async alert(event: CallbackEvent, key: string): Promise<void> {
    const room = roomFacts(event);
    const record: AlertRecord = (await this.ledger.find(key)) ?? (await this.decisions.run(() => this.ledger.decide(key, room, Date.now())));
    if (record.kind === 'digest') {
      this.logger.info({ roomId: room.roomId, eventId: event.id }, `alert storm: room ${room.roomId} is held for the digest at the end of the window`);
      return;
    }
    if (record.sentAt !== null) return; // mailed before (a redelivery after a crash): one mail per event

    const mail = renderAlert(room, this.options, this.context.timezone);
    // Throws a PermanentError on a 5xx (the delivery goes dead with the reply), a plain Error otherwise (retried).
    const result = await this.mailer.send({ to: this.options.to, ...mail, messageId: stableMessageId('alert', key, this.mailer.from) });
    await this.ledger.markSent(key, record, result.messageId, Date.now());
    this.logger.info(
      { roomId: room.roomId, eventId: event.id, messageId: result.messageId, transport: result.transport, file: result.file, accepted: result.accepted },
      `alert for room ${room.roomId} ${result.transport === 'outbox' ? `written to ${result.file}` : `sent to ${result.accepted.join(', ')}`}`,
    );
  }

  private sendDueDigests(): void {
    if (this.sendingDigests) return;
    this.sendingDigests = this.digests
      .sendDue()
      .then(() => this.forgetOldRecords())
      .finally(() => {
        this.sendingDigests = null;
      });
  }

  /** Once a day (and at start): alert records older than keepDays go. Never throws. */
  private async forgetOldRecords(): Promise<void> {
    const now = Date.now();
    if (now - this.lastForget < DAY_MS) return;
    this.lastForget = now;
    try {
      // Outside the decisions' queue: a long delete must not hold up alerts, and a
      // digest opened meanwhile is far younger than anything deleted.
      const forgotten = await this.ledger.forgetBefore(now - this.options.keepDays * DAY_MS);
      if (forgotten.alerts + forgotten.digests > 0) this.logger.info(forgotten, `deleted alert records older than ${this.options.keepDays} days (keepDays)`);
    } catch (err) {
      this.lastForget = 0; // try again at the next tick
      this.logger.error({ err }, 'could not delete old alert records; will try again');
    }
  }
}
