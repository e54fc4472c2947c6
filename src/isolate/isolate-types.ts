/** What a plugin's isolate is given and tells (./plugin-isolate.ts). */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config';
import type { Store } from '../store/store';
import type { PluginIsolate } from './plugin-isolate';
import type { LogHead } from './shared-state';

export type IsolateState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface IsolateObservers {
  attempt(plugin: string, outcome: 'done' | 'retry' | 'dead', durationMs: number): void;
  mail(transport: 'smtp' | 'outbox', outcome: 'sent' | 'failed'): void;
  cronRunDone(plugin: string, job: string, finishedAt: number): void;
  restarted(plugin: string): void;
  stateChanged(isolate: PluginIsolate): void;
}

export interface IsolateDeps {
  service: ServiceConfig;
  /** null for a check (nothing is read or written). */
  store: Store | null;
  head: LogHead;
  logger: Logger;
  logTo: 'stderr' | 'parent';
  instanceId: string;
  useLeases: boolean;
  observers: IsolateObservers;
}
