/**
 * `"isolation": "process"`: the plugin's code runs in a child process of its
 * isolate, started under Node's permission model. It may read the plugin's
 * folder, the service's code and node_modules, and its own data dir; it may
 * write only its data dir; it may not start processes or threads. Its
 * capabilities stay here, in the isolate, and are called over the IPC
 * channel, so the database, the SMTP password and the other plugins are out
 * of its reach.
 *
 * The delivery loop runs here too, on an event loop the plugin cannot block:
 * a handler past its time-out is abandoned, and if the child does not answer
 * within KILL_AFTER_MS of the abort it is killed and started again. A child
 * that exits or crashes fails the calls it had in progress (each delivery is
 * a failed attempt, retried then dead), and is started again with backoff.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DecideContext } from '../../decide/decision';
import type { CallbackEvent } from '../../callbacks/event';
import { LivehookError, describeError } from '../../errors';
import type { Delivery } from '../../pipeline/plugin-contract';
import type { Store } from '../../store/store';
import { CACHE_DIR, ROOT } from '../../bin/ts-loader';
import { isolateEnv } from '../isolate-env';
import { writeIsolateLines } from '../log-bridge';
import { errorFromData } from '../error-data';
import type { IsolateSpec } from '../protocol';
import type { PluginInstance } from '../inside/plugin-instance';
import { buildPluginScope, pluginDataDir, type CapabilityObservers, type PluginScope } from '../inside/plugin-scope';
import type { PreparedPlugin } from '../inside/prepare-plugin';
import { CapabilityServer } from './capability-server';
import { RpcCalls, type RpcMessage } from './rpc';
import { waitAtMost } from '../../util/wait-at-most';

const CHILD_BOOT = path.join(__dirname, 'child-boot.js');
/** After an abort (time-out, shutdown), how long the child has to answer before it is killed. */
const KILL_AFTER_MS = 1000;
const MAX_RESTART_DELAY_MS = 60_000;

export class ChildProcessPlugin implements PluginInstance {
  private child: ChildProcess | null = null;
  private calls: RpcCalls | null = null;
  /** Resolves once a child is running and set up; replaced at each restart. */
  private ready: Promise<void> = Promise.resolve();
  private closing = false;
  private failures = 0;
  private readonly server: CapabilityServer;

  private constructor(
    private readonly spec: IsolateSpec,
    private readonly prepared: PreparedPlugin,
    private readonly scope: PluginScope,
    private readonly logger: Logger,
    private readonly onCrash: (reason: string) => void,
  ) {
    this.server = new CapabilityServer(scope.container, prepared.manifest.capabilities ?? [], (method, args) => this.callChild(method, args));
  }

  static async start(spec: IsolateSpec, prepared: PreparedPlugin, store: Store | null, logger: Logger, observers: CapabilityObservers & { crashed(reason: string): void }): Promise<ChildProcessPlugin> {
    const scope = buildPluginScope(spec, prepared, store, logger, observers);
    const plugin = new ChildProcessPlugin(spec, prepared, scope, logger, observers.crashed);
    try {
      // The plugin's folder is compiled (the main thread did it); the child may read the cache but not
      // write it, nor load the compiler (addons are off under the permission model).
      plugin.ready = plugin.spawn();
      await plugin.ready;
      return plugin;
    } catch (err) {
      await plugin.close().catch(() => undefined);
      throw err;
    }
  }

  async init(): Promise<void> {
    await this.callChild('init', []);
  }

  async handle(event: CallbackEvent, delivery: Delivery): Promise<void> {
    const signal = delivery.signal;
    const calls = await this.untilReady();
    let id = 0;
    const call = calls.call('handle', [event, { idempotencyKey: delivery.idempotencyKey, attempt: delivery.attempt, seq: delivery.seq }], (callId) => {
      id = callId;
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      this.child?.send({ rpc: 'abort', id, reason: describeError(signal.reason) } satisfies RpcMessage);
      // A handler that does not heed its signal (a CPU loop) gets a moment, then the process goes.
      killTimer = setTimeout(() => this.kill(`it did not answer within ${KILL_AFTER_MS} ms after a delivery was aborted (${describeError(signal.reason)})`), KILL_AFTER_MS);
      // Until this call ends (the handler heeded the abort) or its process is gone, the next deliveries
      // wait: sent to a process stuck in a loop, they would be killed with it and counted as failed.
      this.ready = call.then(
        () => undefined,
        () => undefined,
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await call;
    } finally {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
    }
  }

  /** The child answers within ctx.deadline or the isolate stops waiting (a late answer is dropped). */
  async decide(event: CallbackEvent, ctx: DecideContext): Promise<unknown> {
    return this.callChild('decide', [event, { idempotencyKey: ctx.idempotencyKey, deadline: ctx.deadline }]);
  }

  async runTask(task: string, args: Record<string, string>): Promise<string | void> {
    return (await this.callChild('runTask', [task, args])) as string | undefined;
  }

  async close(settleMs = 0): Promise<void> {
    this.closing = true;
    this.scope.stopJobs();
    try {
      if (this.child && this.calls) await Promise.race([this.calls.call('close', []), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await this.scope.settled(settleMs);
    } finally {
      await this.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.closing = true;
    const child = this.child;
    // Its exit is waited for (briefly): a child whose isolate thread ends first is never reaped, and stays a zombie.
    const exited = child ? new Promise((resolve) => child.once('exit', resolve)) : null;
    this.kill(null);
    if (exited) await waitAtMost(exited, 2000);
    this.scope.dispose();
  }

  private async callChild(method: string, args: unknown[]): Promise<unknown> {
    return (await this.untilReady()).call(method, args);
  }

  /** The running child's calls, once nothing holds new calls back (a start, a restart, an aborted call the child has not answered). */
  async untilReady(): Promise<RpcCalls> {
    for (;;) {
      const ready = this.ready;
      await ready;
      // Replaced meanwhile (the stuck child was killed and is starting again): wait for that too.
      if (this.ready !== ready) continue;
      if (!this.calls) throw new LivehookError('PLUGIN_FAILED', `plugin "${this.spec.found.name}": its process is not running`, { plugin: this.spec.found.name });
      return this.calls;
    }
  }

  private spawn(): Promise<void> {
    const { spec } = this;
    const dataDir = pluginDataDir(spec);
    fs.mkdirSync(dataDir, { recursive: true });
    // Real paths: the permission model checks the path a file is opened by, after symlinks (a symlinked node_modules, a plugin folder linked in).
    // And the link itself: require() resolves a path through it (realpath), which reads the link first.
    const given = [spec.found.dir, path.join(ROOT, 'src'), path.join(ROOT, 'node_modules'), CACHE_DIR, dataDir];
    const reads = [...new Set(given.map(realPath))];
    // The link itself only (what is under it is read by its real path), and not one inside another link:
    // Node 20's permission model mishandles such overlapping grants (denies, or aborts).
    const linked = given.filter((dir) => realPath(dir) !== dir);
    const links = linked.filter((dir) => !linked.some((other) => other !== dir && dir.startsWith(other + path.sep)));
    // The grants mean what they mean in a thread: "fs" reads and writes anywhere (one grant of
    // everything, not overlapping ones), "child_process" and "worker_threads" are let through.
    const granted = new Set(spec.settings.capabilities);
    const files = granted.has('fs')
      ? ['--allow-fs-read=*', '--allow-fs-write=*']
      : [...reads.map((dir) => `--allow-fs-read=${path.join(dir, '*')}`), ...links.map((link) => `--allow-fs-read=${link}`), `--allow-fs-write=${path.join(realPath(dataDir), '*')}`];
    const child = fork(CHILD_BOOT, [], {
      execArgv: [
        '--experimental-permission',
        ...files,
        ...(granted.has('child_process') ? ['--allow-child-process'] : []),
        ...(granted.has('worker_threads') ? ['--allow-worker'] : []),
        ...(granted.has('addons') ? ['--allow-addons'] : []),
        `--max-old-space-size=${spec.settings.heapMb}`,
        // (and the SecurityWarning of --allow-child-process: the docs say what that grant gives away)
        '--disable-warning=ExperimentalWarning',
        '--disable-warning=SecurityWarning',
      ],
      env: isolateEnv(spec.settings.capabilities),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    const calls = new RpcCalls({ send: (message) => child.send(message) }, errorFromData);
    this.calls = calls;
    child.on('message', (message: RpcMessage) => {
      switch (message.rpc) {
        case 'reply':
          calls.settle(message);
          break;
        case 'call':
          void this.server.serve(message).then((reply) => {
            if (child.connected) child.send(reply);
          });
          break;
        case 'log':
          writeIsolateLines(this.logger, message.lines);
          break;
        case 'crashed':
          this.crashedBecause = `crashed: ${message.reason}`;
          break;
        default:
          break;
      }
    });
    child.on('error', (err) => this.logger.error({ hook: 'isolate', err }, `plugin "${spec.found.name}": its process failed: ${describeError(err)}`));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    // What the child needs of the spec: not the store's line, the shared memory or the compile line.
    const setup = { ...spec, store: undefined, head: undefined, board: undefined, compile: undefined };
    return calls.call('setup', [setup]).then(() => {
      this.failures = 0;
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    const reason = this.killedBecause ?? this.crashedBecause ?? (signal ? `was killed by ${signal}` : `exited with code ${code} (process.exit in the plugin, an uncaught error, or out of memory: heap limit ${this.spec.settings.heapMb} MB)`);
    this.killedBecause = null;
    this.crashedBecause = null;
    this.calls?.failAll(new LivehookError('PLUGIN_FAILED', `plugin "${this.spec.found.name}": its process ${reason}`, { plugin: this.spec.found.name, hook: 'handle' }));
    this.calls = null;
    if (this.closing) return;
    this.failures += 1;
    this.onCrash(`its process ${reason}`);
    const delay = Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** Math.min(this.failures - 1, 20));
    this.ready = new Promise<void>((resolve) => setTimeout(resolve, delay).unref())
      .then(() => this.spawn())
      // Straight to the new child: callChild waits for `ready`, which is this very promise.
      .then(() => this.calls!.call('init', []))
      .then(() => undefined);
    // Calls made meanwhile wait on `ready`; a restart that fails fails them, and the next failure tries again.
    this.ready.catch((err: unknown) => {
      this.logger.error({ hook: 'init' }, `plugin "${this.spec.found.name}": its process could not be restarted: ${describeError(err)}`);
    });
  }

  private killedBecause: string | null = null;
  /** What the child said of the error that ends it (an uncaught exception or rejection). */
  private crashedBecause: string | null = null;

  private kill(reason: string | null): void {
    const child = this.child;
    if (!child) return;
    if (reason) {
      this.killedBecause = `was killed: ${reason}`;
      this.logger.error({ hook: 'handle' }, `plugin "${this.spec.found.name}": its process ${this.killedBecause}`);
    }
    child.kill('SIGKILL');
  }
}



function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}
