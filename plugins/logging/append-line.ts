import fs from 'node:fs';

/**
 * Appends whole lines to a file, or fails: never a part of one. A write can
 * be short or fail half-way (a full disk); what it left is cut off again, so
 * the delivery fails, is retried, and the retried line starts on a line of
 * its own instead of being glued to a fragment.
 */
export class LineAppender {
  /** Where the file must be cut back to before the next line (a cut that failed once), or null. */
  private cutTo: number | null = null;

  constructor(
    private readonly fd: number,
    private readonly file: string,
  ) {
    this.terminateLastLine();
  }

  append(line: string): void {
    if (this.cutTo !== null) this.cut(this.cutTo);
    const bytes = Buffer.from(line, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) {
        const n = fs.writeSync(this.fd, bytes, written, bytes.length - written);
        if (n <= 0) throw new Error('the file system accepted no byte');
        written += n;
      }
    } catch (err) {
      try {
        // The file is opened for appending and only this plugin writes it (the
        // data dir is locked): what this line left is its last `written` bytes.
        // Asked only now, so that a line that goes well costs one system call.
        this.cutTo = fs.fstatSync(this.fd).size - written;
        this.cut(this.cutTo);
      } catch {
        // Still cut before the next line (see the top of append).
      }
      throw new Error(`could not append a line to ${this.file} (${written} of ${bytes.length} bytes written, then: ${(err as Error).message}); the delivery is retried`, { cause: err });
    }
  }

  private cut(size: number): void {
    if (fs.fstatSync(this.fd).size > size) fs.ftruncateSync(this.fd, size);
    this.cutTo = null;
  }

  /** A line left unfinished by an earlier run (killed mid-write) is ended, so the next one starts clean. */
  private terminateLastLine(): void {
    const size = fs.fstatSync(this.fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    const readable = fs.openSync(this.file, 'r');
    try {
      fs.readSync(readable, last, 0, 1, size - 1);
    } finally {
      fs.closeSync(readable);
    }
    if (last[0] !== 0x0a) fs.writeSync(this.fd, '\n');
  }
}
