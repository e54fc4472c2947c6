import fs from 'node:fs';
import path from 'node:path';
import { inject, injectable } from 'tsyringe';
import type { CallbackEvent, PluginContext, PluginHandler } from 'livehook';
import { eventLine } from './event-line';

interface Options {
  stdout: boolean;
  file: string | null;
  includeRaw: boolean;
}

@injectable()
export class EventLogHandler implements PluginHandler {
  private fd: number | null = null;

  constructor(
    @inject('options') private readonly options: Options,
    @inject('context') private readonly context: PluginContext,
  ) {}

  init(): void {
    if (this.options.file === null) return;
    const dir = path.join(this.context.serviceDataDir, 'logs');
    fs.mkdirSync(dir, { recursive: true });
    this.fd = fs.openSync(path.join(dir, this.options.file), 'a');
  }

  handle(event: CallbackEvent): void {
    const line = eventLine(event, this.options.includeRaw);
    if (this.options.stdout) process.stdout.write(line);
    // A synchronous append: when handle returns, the line is with the OS, so
    // a delivery marked done never has its line still sitting in a buffer.
    if (this.fd !== null) fs.writeSync(this.fd, line);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
