/**
 * Writes small plugins into a temporary plugins folder, as a user would drop
 * them in. Each records what it sees as JSON lines in a file, so tests can
 * read what the plugin really received.
 */
import fs from 'node:fs';
import path from 'node:path';

export function writePlugin(pluginsDir: string, name: string, file: 'index.ts' | 'index.js', source: string): void {
  fs.mkdirSync(path.join(pluginsDir, name), { recursive: true });
  fs.writeFileSync(path.join(pluginsDir, name, file), source);
}

export function readRecords(file: string): Array<Record<string, any>> {
  if (!fs.existsSync(file)) return [];
  const records: Array<Record<string, any>> = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // a line another process is still writing: read it next time
    }
  }
  return records;
}

/** A TypeScript plugin injected by type (decorator metadata) and by token. */
export function recorderTs(name: string, opts: { commands?: string; behaviour?: string } = {}): string {
  return `
import fs from 'node:fs';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type CallbackEvent, type Delivery, type PluginHandler } from 'livehook';

/** A class injected by its type alone: works only if decorator metadata is emitted. */
class Recorder {
  write(file: string, record: unknown): void {
    fs.appendFileSync(file, JSON.stringify(record) + '\\n');
  }
}

@injectable()
class Handler implements PluginHandler {
  constructor(
    private readonly recorder: Recorder,
    @inject('options') private readonly options: { out: string; failTimes: number; sleepMs: number },
  ) {}
  private seen = 0;
  init(): void { this.recorder.write(this.options.out, { hook: 'init', plugin: '${name}' }); }
  async handle(event: CallbackEvent, delivery: Delivery): Promise<void> {
    this.seen++;
    this.recorder.write(this.options.out, { hook: 'handle', plugin: '${name}', event, delivery: { key: delivery.idempotencyKey, attempt: delivery.attempt, seq: delivery.seq } });
    ${opts.behaviour ?? ''}
    this.recorder.write(this.options.out, { hook: 'done', plugin: '${name}', seq: delivery.seq });
  }
  close(): void { this.recorder.write(this.options.out, { hook: 'close', plugin: '${name}' }); }
}

export default definePlugin({
  name: '${name}',
  version: '0.0.1',
  commands: ${opts.commands ?? "'*'"},
  options: Joi.object({ out: Joi.string().required(), failTimes: Joi.number().default(0), sleepMs: Joi.number().default(0) }),
  handler: Handler,
});
`;
}

/** A plain JavaScript plugin (CommonJS, no decorators): injection through tsyringe's inject() by token. */
export function recorderJs(name: string, capabilities: string[] = []): string {
  return `
'use strict';
const fs = require('node:fs');
const Joi = require('joi');
const { injectable, inject } = require('tsyringe');

class Handler {
  constructor(options) { this.options = options; }
  init() { fs.appendFileSync(this.options.out, JSON.stringify({ hook: 'init', plugin: '${name}' }) + '\\n'); }
  handle(event, delivery) {
    fs.appendFileSync(this.options.out, JSON.stringify({ hook: 'handle', plugin: '${name}', event, delivery: { key: delivery.idempotencyKey, attempt: delivery.attempt } }) + '\\n');
  }
  close() { fs.appendFileSync(this.options.out, JSON.stringify({ hook: 'close', plugin: '${name}' }) + '\\n'); }
}
// Plain JS has no decorator syntax: apply them by hand, parameters first (as TypeScript does).
inject('options')(Handler, undefined, 0);
injectable()(Handler);

module.exports = {
  name: '${name}',
  version: '0.0.1',
  commands: ['Live.CallbackAfterDestroyRoom'],
  capabilities: ${JSON.stringify(capabilities)},
  options: Joi.object({ out: Joi.string().required() }),
  handler: Handler,
};
`;
}
