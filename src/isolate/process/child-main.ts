/**
 * Inside a process-isolated plugin's child process: prepares the plugin
 * exactly as a thread isolate does (module guard, manifest, options, grants,
 * container, handler, check), with capabilities that call the isolate over
 * IPC, and answers the isolate's calls: init, handle, runTask, close, and
 * the cron and `once` tasks its scheduler runs here.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type LogLevel } from '../../log/logger';
import type { CallbackEvent } from '../../callbacks/event';
import { routeConsoleToLog } from '../inside/console-to-log';
import { keepPluginStdioWhole } from '../inside/stdio-lines';
import { installModuleGuard } from '../inside/module-guard';
import { LocalPlugin } from '../inside/plugin-instance';
import { checkContextOf, pluginContext, pluginDataDir } from '../inside/plugin-scope';
import { preparePlugin } from '../inside/prepare-plugin';
import { describeError } from '../../errors';
import { errorData, errorFromData } from '../error-data';
import type { IsolateSpec } from '../protocol';
import { permissionRefusal } from './permission-refusal';
import { buildRemoteScope, RemoteTasks } from './remote-scope';
import { RpcCalls, type RpcMessage } from './rpc';

const SRC_DIR = path.resolve(__dirname, '..', '..');
/** Kept before the module guard hides the global fetch: the "http" capability injects it. */
const platformFetch = globalThis.fetch;

const send = (message: RpcMessage): void => {
  if (process.connected) process.send!(message);
};
const calls = new RpcCalls({ send }, errorFromData);
const tasks = new RemoteTasks();
const aborts = new Map<number, AbortController>();
let plugin: LocalPlugin | null = null;
/** For the words of a permission refusal: the plugin and its config file. */
let named: { plugin: string; file: string } | null = null;

async function setup(spec: IsolateSpec): Promise<void> {
  named = { plugin: spec.found.name, file: spec.settings.file };
  const logger = childLogger(spec.service.logLevel as LogLevel).child({ plugin: spec.found.name });
  routeConsoleToLog(logger);
  const stdio = keepPluginStdioWhole(logger);
  process.on('exit', stdio.flush);
  installModuleGuard({ plugin: spec.found.name, dir: spec.found.dir, granted: spec.settings.capabilities, file: spec.settings.file, dataDir: pluginDataDir(spec), hostDirs: [SRC_DIR] });
  const prepared = preparePlugin(spec.found, spec.settings);
  const context = pluginContext(spec, prepared);
  const scope = await buildRemoteScope(prepared, context, checkContextOf(spec, context), logger, (method, args) => calls.call(method, args), tasks, platformFetch);
  plugin = await LocalPlugin.create(prepared, scope);
}

async function answer(id: number, method: string, args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'setup':
      return setup(args[0] as IsolateSpec);
    case 'init':
      return running().init();
    case 'handle': {
      const [event, delivery] = args as [CallbackEvent, { idempotencyKey: string; attempt: number; seq: number }];
      const controller = new AbortController();
      aborts.set(id, controller);
      try {
        return await running().handle(event, { ...delivery, signal: controller.signal });
      } finally {
        aborts.delete(id);
      }
    }
    case 'decide': {
      const [event, ctx] = args as [CallbackEvent, { idempotencyKey: string; deadline: number }];
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('the decision deadline passed')), Math.max(0, ctx.deadline - Date.now()));
      try {
        return await running().decide(event, { ...ctx, signal: controller.signal });
      } finally {
        clearTimeout(timer);
      }
    }
    case 'runTask':
      return running().runTask(args[0] as string, args[1] as Record<string, string>);
    case 'close':
      return plugin?.close();
    case 'cron': {
      const task = tasks.cron.get(args[0] as string);
      return task?.({ slot: new Date(args[1] as number) });
    }
    case 'once':
      return tasks.once.get(args[0] as number)?.();
    default:
      throw new Error(`unknown call "${method}"`);
  }
}

function running(): LocalPlugin {
  if (!plugin) throw new Error('the plugin is not set up');
  return plugin;
}

function childLogger(level: LogLevel) {
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      send({ rpc: 'log', lines: [chunk.toString()] });
      done();
    },
  });
  return createLogger(level, sink);
}


process.on('message', (message: RpcMessage) => {
  switch (message.rpc) {
    case 'call':
      answer(message.id, message.method, message.args).then(
        (result) => send({ rpc: 'reply', id: message.id, result: result === undefined ? null : result }),
        (err: unknown) => send({ rpc: 'reply', id: message.id, error: errorData((named && permissionRefusal(err, named.plugin, named.file)) ?? err) }),
      );
      break;
    case 'reply':
      calls.settle(message);
      break;
    case 'abort':
      aborts.get(message.id)?.abort(new Error(message.reason));
      break;
    default:
      break;
  }
});
// The isolate went away: nothing left to do here.
process.on('disconnect', () => process.exit(0));
// A stop signal sent to the service's whole process group (systemd's KillMode=control-group, Ctrl-C
// in a terminal) reaches this process too: the service stops it in its turn, after its deliveries
// and its close(), or it ends with the IPC channel when the service is gone.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

// An uncaught error or rejection ends this process, as it ends a thread isolate: told to the isolate
// first, whose log line gives its words, rather than Node's report on the service's stderr (not JSON).
const crash = (err: unknown): void => {
  const exit = (): never => process.exit(1);
  setTimeout(exit, 1000).unref();
  try {
    const words = (named && permissionRefusal(err, named.plugin, named.file)) ?? err;
    process.send!({ rpc: 'crashed', reason: describeError(words) } satisfies RpcMessage, exit);
  } catch {
    exit();
  }
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
