/**
 * Deny by default: what a plugin's own code may reach without a grant, and
 * with one; and "isolation": "process", where Node's permission model holds
 * the plugin to its data dir.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readRecords, writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor, type TestService } from '../helpers/service';

/** A plugin that runs `body` (with `record(x)` writing a line to its `out` file) on each destroyed room. */
function plugin(name: string, body: string, opts: { top?: string; capabilities?: string[] } = {}): string {
  return `
import fs from 'node:fs';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type CallbackEvent, type PluginHandler } from 'livehook';
${opts.top ?? ''}

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('options') private readonly options: { out: string }, @inject('context') private readonly context: { dataDir: string }) {}
  async handle(event: CallbackEvent): Promise<void> {
    const record = (x: unknown) => fs.appendFileSync(this.options.out, JSON.stringify(x) + '\\n');
    const dataDir = this.context.dataDir;
    void dataDir;
    ${body}
  }
}

export default definePlugin({ name: '${name}', version: '1.0.0', commands: ['Live.CallbackAfterDestroyRoom'], capabilities: ${JSON.stringify(opts.capabilities ?? [])}, options: Joi.object({ out: Joi.string().required() }), handler: Handler });
`;
}

const room = (roomId: string) => ({ CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: roomId, EventType: 'DestroyByUser', EventTime: Date.now() });

describe('isolates: what a plugin may reach', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const services: TestService[] = [];
  let pluginsDir: string;
  let outDir: string;

  beforeEach(() => {
    pluginsDir = tempDir('livehook-plugins-');
    outDir = tempDir('livehook-out-');
    dirs.push(pluginsDir, outDir);
  });

  afterEach(async () => {
    for (const svc of services.splice(0)) {
      await svc.stop();
      dirs.push(svc.dataDir, svc.configDir);
    }
  });

  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(plugins: Record<string, Record<string, unknown>>): Promise<TestService> {
    const svc = await startTestService({ pluginsDir, plugins });
    services.push(svc);
    return svc;
  }

  it('refuses child_process without the grant, naming the plugin, the module and the grant', async () => {
    writePlugin(pluginsDir, 'shell', 'index.ts', plugin('shell', 'record(execFileSync("node", ["-e", "process.stdout.write(\'hi\')"]).toString());', { top: "import { execFileSync } from 'node:child_process';" }));
    const out = path.join(outDir, 'shell.jsonl');
    let error: Error | null = null;
    await start({ shell: { enabled: true, capabilities: ['fs'], out } }).catch((err: Error) => (error = err));
    expect(error).to.be.an('error');
    expect(error!.message).to.contain('plugin "shell" may not load "node:child_process"').and.to.contain('add "child_process" to "capabilities"').and.to.contain('shell.json');
  });

  it('guards a plugin whose folder is a symlink just the same', async () => {
    const elsewhere = tempDir('livehook-linked-');
    dirs.push(elsewhere);
    writePlugin(elsewhere, 'shell', 'index.ts', plugin('shell', 'record(1);', { top: "import { execFileSync } from 'node:child_process';\nvoid execFileSync;" }));
    fs.symlinkSync(path.join(elsewhere, 'shell'), path.join(pluginsDir, 'shell'));
    let error: Error | null = null;
    await start({ shell: { enabled: true, capabilities: ['fs'], out: path.join(outDir, 'x.jsonl') } }).catch((err: Error) => (error = err));
    expect(error, 'the plugin started').to.be.an('error');
    expect(error!.message).to.contain('plugin "shell" may not load "node:child_process"');
  });

  it('lets a plugin granted child_process run a program', async () => {
    writePlugin(pluginsDir, 'shell', 'index.ts', plugin('shell', 'record(execFileSync(process.execPath, ["-e", "process.stdout.write(\'hi\')"]).toString());', { top: "import { execFileSync } from 'node:child_process';" }));
    const out = path.join(outDir, 'shell.jsonl');
    const svc = await start({ shell: { enabled: true, capabilities: ['fs', 'child_process'], out } });
    expect((await svc.post(room('r1'))).status).to.equal(200);
    await waitFor(() => readRecords(out).length === 1, 10_000, 'the program to run');
    expect(readRecords(out)).to.deep.equal(['hi']);
  });

  it('lets a plugin granted "inspector" open a debugger session', async () => {
    writePlugin(pluginsDir, 'profiler', 'index.ts', plugin('profiler', `
      const { Session } = require('node:inspector');
      const session = new Session();
      session.connect();
      session.disconnect();
      record('connected');`));
    const out = path.join(outDir, 'profiler.jsonl');
    const svc = await start({ profiler: { enabled: true, capabilities: ['fs', 'inspector'], out } });
    expect((await svc.post(room('r1'))).status).to.equal(200);
    await waitFor(() => readRecords(out).length === 1, 10_000, 'the session');
    expect(readRecords(out)).to.deep.equal(['connected']);
  });

  it('refuses a socket without the "net" grant, and hides the global fetch', async () => {
    writePlugin(pluginsDir, 'caller', 'index.ts', plugin('caller', `
      record({ fetch: typeof fetch });
      try { require('node:net'); record('net loaded'); } catch (err) { record((err as Error).message); }`));
    const out = path.join(outDir, 'caller.jsonl');
    const svc = await start({ caller: { enabled: true, capabilities: ['fs'], out } });
    expect((await svc.post(room('r1'))).status).to.equal(200);
    await waitFor(() => readRecords(out).length === 2, 10_000, 'the plugin to try');
    const [fetchType, refusal] = readRecords(out);
    expect(fetchType).to.deep.equal({ fetch: 'undefined' });
    expect(refusal).to.contain('plugin "caller" may not load "node:net": add "net" to "capabilities"');
  });

  it('lets a plugin with the "http" capability call out through the injected fetch, and one granted "net" open sockets', async () => {
    const server = http.createServer((_req, res) => res.end('pong'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      writePlugin(pluginsDir, 'caller', 'index.ts', plugin('caller', `record(await (await this.http(${JSON.stringify(url)})).text());`).replace(
        "@inject('context') private readonly context: { dataDir: string }",
        "@inject('context') private readonly context: { dataDir: string }, @inject('http') private readonly http: typeof fetch",
      ).replace('capabilities: []', "capabilities: ['http']"));
      writePlugin(pluginsDir, 'raw', 'index.ts', plugin('raw', `
        const net = require('node:net');
        const text = await new Promise((resolve) => { let got = ''; const socket = net.connect(${(server.address() as AddressInfo).port}, '127.0.0.1', () => socket.write('GET / HTTP/1.0\\r\\n\\r\\n')); socket.on('data', (d: Buffer) => (got += d)); socket.on('end', () => resolve(got)); });
        record(String(text).endsWith('pong'));`));
      const out = path.join(outDir, 'calls.jsonl');
      const svc = await start({ caller: { enabled: true, capabilities: ['fs', 'http'], out }, raw: { enabled: true, capabilities: ['fs', 'net'], out } });
      expect((await svc.post(room('r1'))).status).to.equal(200);
      await waitFor(() => readRecords(out).length === 2, 10_000, 'both calls');
      expect(readRecords(out).sort()).to.deep.equal(['pong', true].sort());
    } finally {
      server.close();
    }
  });

  it('lets a plugin write under its own data dir, and nowhere else without the "fs" grant', async () => {
    const outside = path.join(outDir, 'outside.txt');
    writePlugin(pluginsDir, 'writer', 'index.ts', plugin('writer', `
      fs.writeFileSync(require('node:path').join(dataDir, 'mine.txt'), 'ok');
      try { fs.writeFileSync(${JSON.stringify(outside)}, 'escaped'); } catch (err) { fs.writeFileSync(require('node:path').join(dataDir, 'refusal.txt'), (err as Error).message); }`));
    const svc = await start({ writer: { enabled: true, out: '/unused' } });
    expect((await svc.post(room('r1'))).status).to.equal(200);
    const dataDir = path.join(svc.dataDir, 'plugins', 'writer');
    await waitFor(() => fs.existsSync(path.join(dataDir, 'refusal.txt')), 10_000, 'the plugin to try');
    expect(fs.readFileSync(path.join(dataDir, 'mine.txt'), 'utf8')).to.equal('ok');
    expect(fs.existsSync(outside)).to.equal(false);
    expect(fs.readFileSync(path.join(dataDir, 'refusal.txt'), 'utf8')).to.contain(`plugin "writer" may not write ${outside}`).and.to.contain('add "fs" to "capabilities"');
  });

  it('guards the ordinary ways round it too: import(), a WriteStream, open with O_TRUNC, a link out of the data dir, /proc/self/environ', async () => {
    const outside = path.join(outDir, 'outside.txt');
    fs.writeFileSync(outside, 'keep me');
    const outsideMode = fs.statSync(outside).mode & 0o777;
    const escaped = path.join(outDir, 'escaped.txt');
    writePlugin(
      pluginsDir,
      'sly',
      'index.js',
      `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Joi = require('joi');
const { inject, injectable } = require('tsyringe');
class Handler {
  constructor(context) { this.dataDir = context.dataDir; }
  async handle() {
    const tries = {
      import: async () => (await import('node:child_process')).execSync('true'),
      writeStream: () => new fs.WriteStream(${JSON.stringify(escaped)}),
      truncate: () => fs.closeSync(fs.openSync(${JSON.stringify(outside)}, fs.constants.O_RDONLY | fs.constants.O_TRUNC)),
      link: () => {
        fs.symlinkSync(${JSON.stringify(escaped)}, path.join(this.dataDir, 'link'));
        fs.writeFileSync(path.join(this.dataDir, 'link'), 'escaped');
      },
      environ: () => fs.readFileSync('/proc/self/environ', 'utf8'),
      importWithComment: async () => (await import /* a comment */ ('node:child_process')).execSync('true'),
      createRequire: () => require('node:module').createRequire('/tmp/elsewhere.js')('child_process').execSync('true'),
      readWithWriteFlag: () => fs.readFileSync(${JSON.stringify(outside)}, { flag: 'w+' }),
      streamWithWriteFlag: () => fs.createReadStream(${JSON.stringify(outside)}, { flags: 'r+' }),
      hardLink: () => fs.linkSync(${JSON.stringify(outside)}, path.join(this.dataDir, 'hard')),
      serviceDescriptor: () => {
        const fd = fs.readdirSync('/proc/self/fd').map(Number).find((n) => { try { return fs.readlinkSync('/proc/self/fd/' + n).endsWith('livehook.db'); } catch { return false; } });
        fs.writeSync(fd, 'x', 0);
      },
      serviceDescriptorStream: () => {
        const fd = fs.readdirSync('/proc/self/fd').map(Number).find((n) => { try { return fs.readlinkSync('/proc/self/fd/' + n).endsWith('livehook.db'); } catch { return false; } });
        fs.createWriteStream(null, { fd, autoClose: false, start: 0 });
      },
      binding: () => process.binding('spawn_sync'),
      inspector: () => new (require('node:inspector').Session)().connectToMainThread(),
      inspectorBinding: () => process.binding('inspector'),
      addonOfItsOwn: () => require('./fake.node'),
      addonByDlopen: () => process.dlopen({ exports: {} }, ${JSON.stringify(path.resolve(__dirname, '../../node_modules/better-sqlite3/build/Release/better_sqlite3.node'))}),
      loadWithoutParent: () => require('node:module')._load('child_process', null, false).execSync('true'),
      requireAsService: () => require('node:module').createRequire(${JSON.stringify(path.resolve(__dirname, '../../src/service.ts'))})('child_process').execSync('true'),
      requireAsPackage: () => require('node:module').createRequire(${JSON.stringify(path.resolve(__dirname, '../../node_modules/joi/package.json'))})('child_process').execSync('true'),
      getBuiltinModule: () => process.getBuiltinModule('child_process').execSync('true'),
      getBuiltinFs: () => process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(escaped)}, 'escaped'),
      internalKill: () => process._kill(process.pid, 0),
      httpInternals: () => require('_http_client'),
      nameLookups: () => require('node:dns'),
      loadWithBareParent: () => require('node:module')._load('child_process', {}, false).execSync('true'),
      moduleWithoutFile: () => new (require('node:module'))(${JSON.stringify(path.resolve(__dirname, '../../src/service.ts'))}).require('child_process').execSync('true'),
      moduleAsService: () => {
        const Module = require('node:module');
        const fake = new Module(${JSON.stringify(path.resolve(__dirname, '../../src/fake.js'))});
        fake.filename = fake.id;
        fake.paths = Module._nodeModulePaths(path.dirname(fake.id));
        return fake.require('child_process').execSync('true');
      },
      chmodReadDescriptor: () => fs.fchmodSync(fs.openSync(${JSON.stringify(outside)}, 'r'), 0o777),
      chmodReadHandle: async () => (await fs.promises.open(${JSON.stringify(outside)}, 'r')).chmod(0o777),
      chmodReadHandleProto: async () => {
        const mine = await fs.promises.open(path.join(this.dataDir, 'mine.txt'), 'w');
        const handle = await fs.promises.open(${JSON.stringify(outside)}, 'r');
        try {
          await Object.getPrototypeOf(mine).chmod.call(handle, 0o777);
        } finally {
          await mine.close();
        }
      },
      readHandleStillReads: async () => {
        const handle = await fs.promises.open(${JSON.stringify(outside)}, 'r');
        const text = await handle.readFile('utf8');
        await handle.close();
        if (text !== 'keep me') throw new Error('read ' + text);
        throw new Error('read it');
      },
      chmodReadStream: () => new Promise((resolve, reject) => {
        const stream = fs.createReadStream(${JSON.stringify(outside)});
        stream.once('open', (fd) => { try { fs.fchmodSync(fd, 0o777); resolve(); } catch (err) { reject(err); } finally { stream.destroy(); } });
      }),
      report: () => { if (process.report.getReport().environmentVariables !== undefined) return; throw new Error('no environment in the report'); },
      writeReport: () => process.report.writeReport(${JSON.stringify(escaped)}),
      closeStderr: () => fs.closeSync(2),
      closeServiceDescriptor: () => {
        const fd = fs.readdirSync('/proc/self/fd').map(Number).find((n) => { try { return fs.readlinkSync('/proc/self/fd/' + n).endsWith('livehook.db'); } catch { return false; } });
        fs.close(fd, () => undefined);
      },
      closeItsOwn: () => {
        fs.closeSync(fs.openSync(path.join(this.dataDir, 'own.txt'), 'w'));
        fs.closeSync(fs.openSync(${JSON.stringify(outside)}, 'r'));
      },
      oldReadStreamName: () => new fs.FileReadStream('/proc/self/environ'),
      oldWriteStreamName: () => new fs.FileWriteStream(${JSON.stringify(escaped)}),
      escapedUrl: () => fs.readFileSync(new URL('file:///proc/self/%65nviron')),
      escapedUrlThroughLink: () => {
        fs.symlinkSync(${JSON.stringify(outDir)}, path.join(this.dataDir, 'L'));
        fs.writeFileSync(new URL('file://' + this.dataDir + '/%4C/escaped.txt'), 'escaped');
      },
      nodeTest: () => require('node:test').run({ files: [] }),
      loaderHooks: () => require('node:module').register('data:text/javascript,' + encodeURIComponent('import fs from "node:fs"; fs.writeFileSync(' + JSON.stringify(${JSON.stringify(escaped)}) + ', "escaped"); export async function resolve(s, c, n) { return n(s, c); }')),
      readStreamOnServiceDescriptor: () => {
        const fd = fs.readdirSync('/proc/self/fd').map(Number).find((n) => { try { return fs.readlinkSync('/proc/self/fd/' + n).endsWith('livehook.db'); } catch { return false; } });
        fs.createReadStream(null, { fd, autoClose: true }).resume();
      },
      readStreamClassOnStderr: () => new fs.ReadStream(null, { fd: 2 }).destroy(),
      readStreamOnItsOwn: () => new Promise((resolve, reject) => {
        const stream = fs.createReadStream(null, { fd: fs.openSync(${JSON.stringify(outside)}, 'r') });
        stream.on('error', reject).on('close', resolve).resume();
      }),
    };
    const results = {};
    for (const [name, attempt] of Object.entries(tries)) {
      try {
        await attempt();
        results[name] = 'allowed';
      } catch (err) {
        results[name] = err.message;
      }
    }
    fs.writeFileSync(path.join(this.dataDir, 'results.json'), JSON.stringify(results));
  }
}
inject('context')(Handler, undefined, 0);
injectable()(Handler);
module.exports = { name: 'sly', version: '1.0.0', commands: '*', options: Joi.object({}), handler: Handler };
`,
    );
    fs.writeFileSync(path.join(pluginsDir, 'sly', 'fake.node'), 'not really an addon');
    const svc = await start({ sly: { enabled: true } });
    expect((await svc.post(room('sly-1'))).status).to.equal(200);
    const file = path.join(svc.dataDir, 'plugins', 'sly', 'results.json');
    await waitFor(() => fs.existsSync(file), 10_000, 'the plugin to try');
    const results = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    expect(results.import).to.match(/^plugin "sly" may not load "node:child_process": add "child_process" to "capabilities"/);
    expect(results.writeStream).to.contain(`plugin "sly" may not write ${escaped} (fs.WriteStream)`);
    expect(results.truncate).to.contain(`plugin "sly" may not write ${outside} (fs.openSync)`);
    expect(results.link).to.contain(`plugin "sly" may not write ${escaped} (fs.writeFileSync)`);
    expect(results.environ).to.match(/^plugin "sly" may not read \/proc\/\d+\/environ \(fs\.readFileSync\): .*add "env" to "capabilities"/);
    expect(results.importWithComment).to.match(/^plugin "sly" may not load "node:child_process"/);
    expect(results.createRequire).to.match(/^plugin "sly" may not load "child_process"/);
    expect(results.readWithWriteFlag).to.contain(`plugin "sly" may not write ${outside} (fs.readFileSync)`);
    expect(results.streamWithWriteFlag).to.contain(`plugin "sly" may not write ${outside} (fs.createReadStream)`);
    expect(results.hardLink).to.contain(`plugin "sly" may not write ${outside} (fs.linkSync)`);
    expect(results.serviceDescriptor).to.match(/^plugin "sly" may not write to file descriptor \d+ \(fs\.writeSync\): it did not open it/);
    expect(results.serviceDescriptorStream).to.match(/^plugin "sly" may not write to file descriptor \d+ \(fs\.createWriteStream\): it did not open it/);
    expect(results.binding).to.match(/^plugin "sly" may not load "process\.binding\('spawn_sync'\)": add "child_process"/);
    expect(results.inspector).to.match(/^plugin "sly" may not load "node:inspector": add "inspector" to "capabilities"/);
    expect(results.addonOfItsOwn).to.match(/^plugin "sly" may not load ".*\/sly\/fake\.node": add "addons" to "capabilities"/);
    expect(results.addonByDlopen).to.match(/^plugin "sly" may not load "process\.dlopen": add "addons" to "capabilities"/);
    expect(results.inspectorBinding).to.match(/^plugin "sly" may not load "process\.binding\('inspector'\)": add "inspector"/);
    expect(results.getBuiltinFs).to.contain(`plugin "sly" may not write ${escaped} (fs.writeFileSync)`);
    expect(results.internalKill).to.match(/^plugin "sly" may not load "process\._kill": add "child_process"/);
    expect(results.httpInternals).to.match(/^plugin "sly" may not load "_http_client": add "net"/);
    expect(results.nameLookups).to.match(/^plugin "sly" may not load "node:dns": add "net"/);
    for (const route of ['loadWithoutParent', 'loadWithBareParent', 'moduleWithoutFile', 'getBuiltinModule', 'requireAsService', 'requireAsPackage', 'moduleAsService']) {
      expect(results[route], route).to.match(/^plugin "sly" may not load "child_process": add "child_process" to "capabilities"/);
    }
    for (const route of ['chmodReadDescriptor', 'chmodReadHandle', 'chmodReadStream']) {
      expect(results[route], route).to.match(/^plugin "sly" may not (write to file descriptor \d+ \(fs\.fchmodSync\)|change .*outside\.txt \(FileHandle\.chmod\)): /);
    }
    expect(results.chmodReadHandleProto).not.to.equal('allowed');
    expect(results.readHandleStillReads).to.equal('read it');
    expect(fs.statSync(outside).mode & 0o777).to.equal(outsideMode);
    expect(results.report).to.equal('no environment in the report');
    expect(results.writeReport).to.match(/^plugin "sly" may not load "process\.report\.writeReport": add "fs"/);
    expect(results.closeStderr).to.match(/^plugin "sly" may not close file descriptor 2 \(fs\.closeSync\): it did not open it/);
    expect(results.closeServiceDescriptor).to.match(/^plugin "sly" may not close file descriptor \d+ \(fs\.close\): it did not open it/);
    expect(results.closeItsOwn).to.equal('allowed');
    expect(results.oldReadStreamName).to.match(/^plugin "sly" may not read \/proc\/\d+\/environ \(fs\.FileReadStream\)/);
    expect(results.oldWriteStreamName).to.contain(`plugin "sly" may not write ${escaped} (fs.FileWriteStream)`);
    expect(results.escapedUrl).to.match(/^plugin "sly" may not read \/proc\/\d+\/environ \(fs\.readFileSync\)/);
    expect(results.escapedUrlThroughLink).to.contain(`plugin "sly" may not write ${escaped} (fs.writeFileSync)`);
    expect(results.nodeTest).to.match(/^plugin "sly" may not load "node:test": add "child_process" to "capabilities"/);
    expect(results.loaderHooks).to.match(/^plugin "sly" may not load "module\.register": add "worker_threads" to "capabilities"/);
    expect(results.readStreamOnServiceDescriptor).to.match(/^plugin "sly" may not read file descriptor \d+ through a stream, which closes it at its end \(fs\.createReadStream\): it did not open it/);
    expect(results.readStreamClassOnStderr).to.match(/^plugin "sly" may not read file descriptor 2 through a stream, which closes it at its end \(fs\.ReadStream\)/);
    expect(results.readStreamOnItsOwn).to.equal('allowed');
    expect(fs.readFileSync(outside, 'utf8')).to.equal('keep me');
    expect(fs.existsSync(escaped)).to.equal(false);
    // The service took a callback after all of it: its stderr and database are still open.
    expect((await svc.post(room('sly-2'))).status).to.equal(200);
  });

  it('hides the service\'s environment (its secrets) unless granted "env"', async () => {
    process.env.LIVEHOOK_TEST_SECRET = 'not for plugins';
    try {
      writePlugin(pluginsDir, 'nosy', 'index.ts', plugin('nosy', 'record({ secret: process.env.LIVEHOOK_TEST_SECRET ?? null, path: typeof process.env.PATH });'));
      writePlugin(pluginsDir, 'trusted', 'index.ts', plugin('trusted', 'record({ secret: process.env.LIVEHOOK_TEST_SECRET ?? null });'));
      const svc = await start({ nosy: { enabled: true, capabilities: ['fs'], out: path.join(outDir, 'nosy.jsonl') }, trusted: { enabled: true, capabilities: ['fs', 'env'], out: path.join(outDir, 'trusted.jsonl') } });
      expect((await svc.post(room('r1'))).status).to.equal(200);
      await waitFor(() => readRecords(path.join(outDir, 'nosy.jsonl')).length + readRecords(path.join(outDir, 'trusted.jsonl')).length === 2, 10_000, 'both plugins');
      expect(readRecords(path.join(outDir, 'nosy.jsonl'))).to.deep.equal([{ secret: null, path: 'string' }]);
      expect(readRecords(path.join(outDir, 'trusted.jsonl'))).to.deep.equal([{ secret: 'not for plugins' }]);
    } finally {
      delete process.env.LIVEHOOK_TEST_SECRET;
    }
  });
});

describe('isolates: "isolation": "process"', function () {
  this.timeout(30_000);

  it('runs the plugin in a child process that Node\'s permission model holds to its data dir, with its capabilities', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const outside = path.join(os.tmpdir(), `livehook-outside-${process.pid}.txt`);
    writePlugin(pluginsDir, 'jailed', 'index.ts', `
import fs from 'node:fs';
import path from 'node:path';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type CallbackEvent, type PluginContext, type PluginHandler, type PluginRecords } from 'livehook';

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('context') private readonly context: PluginContext, @inject('store') private readonly records: PluginRecords) {}
  async handle(event: CallbackEvent): Promise<void> {
    const facts: Record<string, unknown> = { pid: process.pid, isolation: this.context.isolation };
    facts.mayWriteTmp = (process as unknown as { permission: { has(scope: string, p: string): boolean } }).permission.has('fs.write', ${JSON.stringify(outside)});
    try { fs.writeFileSync(${JSON.stringify(outside)}, 'escaped'); facts.outside = 'written'; } catch (err) { facts.outside = (err as Error).message; }
    facts.isNew = await this.records.put('seen', event.roomId!, Date.now(), { roomId: event.roomId });
    facts.readBack = (await this.records.get('seen', event.roomId!))?.value;
    facts.claims = [await this.records.claim('jobs', 'daily', 1, 'me', Infinity), await this.records.claim('jobs', 'daily', 1, 'other', 60_000)];
    facts.released = await this.records.release('jobs', 'daily', 'me');
    fs.writeFileSync(path.join(this.context.dataDir, 'facts.json'), JSON.stringify(facts));
  }
}

export default definePlugin({ name: 'jailed', version: '1.0.0', commands: ['Live.CallbackAfterDestroyRoom'], capabilities: ['store'], options: Joi.object({}), handler: Handler });
`);
    const svc = await startTestService({ pluginsDir, plugins: { jailed: { enabled: true, isolation: 'process', capabilities: ['store'] } } });
    try {
      expect((await svc.post(room('jail-1'))).status).to.equal(200);
      const factsFile = path.join(svc.dataDir, 'plugins', 'jailed', 'facts.json');
      await waitFor(() => fs.existsSync(factsFile), 15_000, 'the plugin to write its facts');
      const facts = JSON.parse(fs.readFileSync(factsFile, 'utf8'));
      expect(facts.pid).to.not.equal(process.pid);
      expect(facts.isolation).to.equal('process');
      expect(facts.mayWriteTmp).to.equal(false);
      expect(facts.outside).to.contain('may not write');
      expect(fs.existsSync(outside)).to.equal(false);
      expect(facts.isNew).to.equal(true);
      expect(facts.readBack).to.deep.equal({ roomId: 'jail-1' });
      // store.claim and release reach the store from the child too (ttl Infinity included).
      expect(facts.claims).to.deep.equal([true, false]);
      expect(facts.released).to.equal(true);
      expect((await svc.service.store.records('jailed').get('seen', 'jail-1'))?.value).to.deep.equal({ roomId: 'jail-1' });
    } finally {
      await svc.stop();
      for (const dir of [pluginsDir, svc.dataDir, svc.configDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the "fs", "child_process" and "worker_threads" grants through, and words what the permission model refuses without them', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const outside = path.join(tempDir('livehook-outside-'), 'written.txt');
    const body = (name: string) => `
import fs from 'node:fs';
import path from 'node:path';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type CallbackEvent, type PluginContext, type PluginHandler } from 'livehook';

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('context') private readonly context: PluginContext) {}
  async handle(event: CallbackEvent): Promise<void> {
    const what = event.roomId!.split('-')[1];
    if (what === 'write') fs.writeFileSync(${JSON.stringify(outside)}, '${name}');
    if (what === 'read') fs.readFileSync('/etc/hostname');
    if (what === 'spawn') require('node:child_process').execFileSync(process.execPath, ['-e', '0']);
    if (what === 'thread') await new Promise((resolve, reject) => new (require('node:worker_threads').Worker)('0', { eval: true }).once('exit', resolve).once('error', reject));
    if (what === 'late') setTimeout(() => fs.readFileSync('/etc/hostname'), 10); // thrown outside any handler: the process crashes
    fs.appendFileSync(path.join(this.context.dataDir, 'done.txt'), what + '\\n');
  }
}

export default definePlugin({ name: '${name}', version: '1.0.0', commands: ['Live.CallbackAfterDestroyRoom'], options: Joi.object({}), handler: Handler });
`;
    writePlugin(pluginsDir, 'trusted', 'index.ts', body('trusted'));
    writePlugin(pluginsDir, 'jailed', 'index.ts', body('jailed'));
    const retry = { baseMs: 50, capMs: 50, maxAttempts: 1 };
    const svc = await startTestService({
      pluginsDir,
      plugins: {
        trusted: { enabled: true, isolation: 'process', capabilities: ['fs', 'child_process', 'worker_threads'], retry },
        jailed: { enabled: true, isolation: 'process', retry },
      },
    });
    try {
      for (const what of ['write', 'read', 'spawn', 'thread', 'late']) expect((await svc.post(room(`r-${what}`))).status).to.equal(200);
      await svc.waitForIdle(20_000);
      // The crash is told in the same words (its delivery had returned: not counted against it).
      await waitFor(() => svc.logs.some((l) => /its process crashed: plugin "jailed" may not read \/etc\/hostname: under "isolation": "process"/.test(String(l.msg))), 10_000, 'the crash line');
      const done = (name: string) => fs.readFileSync(path.join(svc.dataDir, 'plugins', name, 'done.txt'), 'utf8').split('\n').filter(Boolean).sort();
      expect(done('trusted')).to.deep.equal(['late', 'read', 'spawn', 'thread', 'write']);
      expect(fs.readFileSync(outside, 'utf8')).to.equal('trusted');
      expect(fs.readFileSync(path.join(svc.dataDir, 'plugins', 'jailed', 'done.txt'), 'utf8')).to.equal('late\n');
      const dead = await svc.service.store.listDeliveries({ plugin: 'jailed', status: 'dead' });
      // Posted in this order: write, read, spawn, thread.
      const [write, read, spawn, thread] = dead.sort((a, b) => a.eventSeq - b.eventSeq).map((d) => d.lastError);
      const file = path.join(svc.configDir, 'plugins', 'jailed.json');
      expect(dead).to.have.length(4);
      // The module guard refuses first where it can; Node's permission model (a read outside) in the same words.
      expect(write).to.contain(`plugin "jailed" may not write ${outside} (fs.writeFileSync)`).and.contain(`add "fs" to "capabilities" in ${file}`);
      expect(read).to.contain('plugin "jailed" may not read /etc/hostname: under "isolation": "process" a plugin reads only').and.contain(`add "fs" to "capabilities" in ${file} to allow it`);
      expect(spawn).to.contain('plugin "jailed" may not load "node:child_process": add "child_process" to "capabilities"');
      expect(thread).to.contain('plugin "jailed" may not load "node:worker_threads": add "worker_threads" to "capabilities"');
    } finally {
      await svc.stop();
      for (const dir of [pluginsDir, svc.dataDir, svc.configDir, path.dirname(outside)]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses the "inspector" grant with process isolation, where it cannot work', async () => {
    const error = await startTestService({ plugins: { logging: { enabled: true, isolation: 'process', capabilities: ['fs', 'inspector'] } }, onlyPlugins: ['logging'] }).then(
      async (svc) => (await svc.stop(), null),
      (err: Error) => err,
    );
    expect(error?.message).to.match(/logging\.json: capabilities: "inspector" cannot work with "isolation": "process" \(Node's permission model refuses the inspector to a child process whatever the grants\): remove it, or run the plugin with "isolation": "thread"$/);
  });
});
