/**
 * Sends each storm window's digest once the window is over. Called on a
 * timer; a digest that fails (SMTP down, or refused) stays due and is tried
 * again with a growing pause, so no held room is ever dropped.
 */
import { retryDelay, type Logger, type Mailer, type Serial } from 'livehook';
import { renderDigestParts } from './digest-mail';
import { stableMessageId } from './message-id';
import type { PendingDigest, StormLedger } from './storm-ledger';

const MAX_PAUSE_MS = 5 * 60 * 1000;

export interface DigestSenderDeps {
  ledger: StormLedger;
  mailer: Mailer;
  /** The same Serial the storm decisions run in. */
  decisions: Serial;
  logger: Logger;
  pluginName: string;
  timeZone: string;
  to: string[] | undefined;
  /** First pause after a failed digest (it doubles up to 5 minutes), and how long after its window a digest waits. */
  retryBaseMs: number;
  /** The most rooms one digest mail lists (storm.roomsPerDigestMail); a larger storm goes in parts. */
  roomsPerMail: number;
}

export class DigestSender {
  private readonly failures = new Map<number, { attempts: number; nextAt: number }>();

  constructor(private readonly deps: DigestSenderDeps) {}

  /** Send every digest that is due. Never throws: failures are logged and retried later. */
  async sendDue(now = Date.now()): Promise<void> {
    let due: PendingDigest[];
    try {
      due = await this.deps.ledger.dueDigests(now, this.deps.retryBaseMs);
    } catch (err) {
      this.deps.logger.error({ err }, 'could not read the pending storm digests; will try again');
      return;
    }
    for (const digest of due) {
      const failed = this.failures.get(digest.start);
      if (failed && failed.nextAt > now) continue;
      await this.send(digest, now);
    }
  }

  private async send(digest: PendingDigest, now: number): Promise<void> {
    const { ledger, mailer, logger } = this.deps;
    let claimed = false;
    try {
      claimed = await ledger.claimDigest(digest);
      if (!claimed) return; // another instance is sending it
      // Sent (and released) by another instance since this one listed it: the
      // sender drops the pending mark before it releases the claim.
      if (!(await ledger.isPending(digest))) {
        await ledger.releaseDigest(digest);
        return;
      }

      // Gathered in the decisions' queue: any room decided for this window is
      // recorded by then, and no later decision can pick a window that is over.
      const rooms = await this.deps.decisions.run(() => ledger.digestRooms(digest));
      if (rooms.length === 0) {
        await ledger.digestSent(digest, rooms, null, now); // a crash left the window marked but empty
        return;
      }
      // A storm past what one mail should carry goes in parts, each with its own stable Message-ID:
      // a failure part way sends them all again, and mail clients show a part sent twice as one.
      const mails = renderDigestParts({ ...digest, maxAlerts: ledger.limits.maxAlerts }, rooms, this.deps.timeZone, this.deps.roomsPerMail);
      const results = [];
      for (const [index, mail] of mails.entries()) {
        const key = `${this.deps.pluginName}:${digest.start}${index === 0 ? '' : `:part${index + 1}`}`;
        results.push(await mailer.send({ to: this.deps.to, ...mail, messageId: stableMessageId('digest', key, mailer.from) }));
      }
      const [result] = results;
      await ledger.digestSent(digest, rooms, result.messageId, Date.now());
      this.failures.delete(digest.start);
      const parts = mails.length > 1 ? ` in ${mails.length} mails` : '';
      logger.info(
        { windowStart: new Date(digest.start).toISOString(), rooms: rooms.map((r) => r.roomId), messageIds: results.map((r) => r.messageId), transport: result.transport, files: results.map((r) => r.file) },
        `storm digest for ${rooms.length} room(s) ${result.transport === 'outbox' ? `written to ${results.map((r) => r.file).join(', ')}` : 'sent'}${parts}`,
      );
    } catch (err) {
      // Should even this fail, the claim runs out after SENDING_CLAIM_MS and any instance tries again.
      if (claimed) await ledger.releaseDigest(digest).catch(() => undefined);
      const attempts = (this.failures.get(digest.start)?.attempts ?? 0) + 1;
      const pause = retryDelay(attempts, { baseMs: this.deps.retryBaseMs, capMs: MAX_PAUSE_MS });
      this.failures.set(digest.start, { attempts, nextAt: Date.now() + pause });
      logger.error(
        { err, windowStart: new Date(digest.start).toISOString(), attempts, retryAt: new Date(Date.now() + pause).toISOString() },
        'storm digest could not be sent; it stays due and will be tried again',
      );
    }
  }
}
