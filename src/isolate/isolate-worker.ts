/**
 * Starting one worker thread for a plugin: what it is told (its IsolateSpec:
 * the plugin, its settings, the service facts it may know, its line to the
 * store and to the compiler) and how it is limited (heap, environment).
 */
import path from 'node:path';
import { Worker, type Transferable } from 'node:worker_threads';
import { precompileTree, ROOT } from '../bin/ts-loader';
import type { EnabledPlan } from '../pipeline/plan-plugins';
import { linkTo } from '../store/store-link';
import { openCompileLine } from './compile-bridge';
import { isolateEnv } from './isolate-env';
import type { IsolateDeps } from './isolate-types';
import type { IsolateMode, IsolateSpec } from './protocol';
import type { IsolateBoard } from './shared-state';

const BOOT_FILE = path.join(__dirname, 'inside', 'boot.js');
let srcCompiled = false;

export function spawnIsolateWorker(plan: EnabledPlan, mode: IsolateMode, deps: IsolateDeps, board: IsolateBoard, initGate: boolean): { worker: Worker; compileLine: { close(): void } } {
  const { service, store } = deps;
  const { link, transfer } = mode === 'check' || !store ? { link: undefined, transfer: [] as Transferable[] } : linkTo(store);
  // Compiled here, where the compiler may live (see compile-bridge.ts): the isolate only reads the cache.
  // The service's own code does not change while it runs: walked once per process.
  precompileTree(plan.found.dir, () => undefined);
  if (!srcCompiled) precompileTree(path.join(ROOT, 'src'), () => undefined);
  srcCompiled = true;
  const compileLine = openCompileLine();
  const spec: IsolateSpec = {
    mode,
    found: plan.found,
    settings: plan.settings,
    service: {
      dataDir: service.dataDir,
      timezone: service.timezone,
      publicUrl: service.publicUrl,
      mail: service.mail,
      // The level of the logger it writes for (the CLI quiets 'info' to 'warn'), not the config's.
      logLevel: deps.logger.level,
      delivery: {
        timeoutMs: service.delivery.timeoutMs,
        retry: service.delivery.retry,
        batchSize: service.delivery.batchSize,
        batchBytes: service.delivery.batchBytes,
        leaseMs: service.delivery.leaseMs,
      },
    },
    instanceId: deps.instanceId,
    useLeases: deps.useLeases,
    store: link,
    head: deps.head.buffer,
    board: board.buffer,
    logTo: deps.logTo,
    compile: compileLine.line,
    initGate,
  };
  const heapMb = plan.settings.heapMb;
  const worker = new Worker(BOOT_FILE, {
    workerData: spec,
    transferList: [...transfer, compileLine.line.port],
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(heapMb / 8))) },
    env: isolateEnv(plan.settings.capabilities),
    name: `livehook plugin ${plan.name}`,
  });
  return { worker, compileLine };
}
