import { createHash } from 'node:crypto';

/**
 * A Message-ID that depends only on what the mail is about. If a crash comes
 * after the server took a mail but before that was recorded, the retry sends
 * the same Message-ID, and mail clients show the two as one message.
 */
export function stableMessageId(kind: 'alert' | 'digest', key: string, from: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'livehook.invalid';
  return `<${kind}.${hash}@${domain}>`;
}
