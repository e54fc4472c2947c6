import fs from 'node:fs';
import path from 'node:path';
import { inject, injectable } from 'tsyringe';
import type { CallbackEvent, PluginContext, PluginHandler } from 'livehook';
import { LineAppender } from './append-line';
import { eventLine } from './event-line';

interface Options {
  stdout: boolean;
  file: string | null;
  includeRaw: boolean;
}

@injectable()
export class EventLogHandler implements PluginHandler {
  private fd: number | null = null;
  private lines: LineAppender | null = null;

  constructor(
    @inject('options') private readonly options: Options,
    @inject('context') private readonly context: PluginContext,
  ) {}

  init(): void {
    if (this.options.file === null) return;
    const dir = path.join(this.context.serviceDataDir, 'logs');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, this.options.file);
    this.fd = fs.openSync(file, 'a');
    this.lines = new LineAppender(this.fd, file);
  }

  handle(event: CallbackEvent): void {
    const line = eventLine(event, this.options.includeRaw);
    // A synchronous append: when handle returns, the line is with the OS, so
    // a delivery marked done never has its line still sitting in a buffer.
    // A short or failed write throws (the delivery is retried) and leaves no
    // fragment; the file goes first, so a failed one is not on stdout twice.
    this.lines?.append(line);
    if (this.options.stdout) process.stdout.write(line);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.lines = null;
  }
}
