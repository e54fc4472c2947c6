/**
 * Writes one .eml file so that a reader of the outbox never sees half a
 * message: write-file-atomic writes a temporary file, flushes it to disk and
 * renames it into place (atomic within one folder), and removes it on failure.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** A file name that sorts by time and says which message it holds. */
export function emlFileName(messageId: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const id = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]+/g, '_').slice(0, 120) || 'message';
  return `${stamp}-${id}.eml`;
}

export async function writeEmlFile(dir: string, name: string, content: Buffer): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  // Its temporary name (<name>.<hash>) does not end in .eml, so no reader takes it for a message.
  await writeFileAtomic(file, content, { mode: 0o640 });
  return file;
}
