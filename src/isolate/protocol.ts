/**
 * What the ingest thread and a plugin's isolate say to each other. Plain
 * data only: it crosses a thread boundary as a structured clone.
 *
 * The hot path sends nothing here: new events are announced through shared
 * memory (./shared-state.ts). Messages carry the rare things: start, stop,
 * a CLI task, a decision (issue #9), and, in batches, log lines and metrics.
 */
import type { CallbackEvent } from '../callbacks/event';
import type { Decision } from '../decide/decision';
import type { MailSettings } from '../mail/mail-settings';
import type { RetryPolicy } from '../config/service-config';
import type { PluginSettings } from '../config/plugin-settings';
import type { FoundPlugin } from '../pipeline/discover-plugins';
import type { StoreLink } from '../store/store-link';
import type { CompileLine } from './compile-bridge';
import type { PluginFacts } from './inside/prepare-plugin';

/**
 * What an isolate runs for:
 *   serve  deliver the log to the plugin until told to stop;
 *   task   init the plugin and run CLI tasks (`livehook report`), nothing else;
 *   check  prepare the plugin and resolve its handler with inert capabilities,
 *          run its `check`, and end (`livehook config check`, a reload).
 */
export type IsolateMode = 'serve' | 'task' | 'check';

/** Everything an isolate starts from (its workerData). */
export interface IsolateSpec {
  mode: IsolateMode;
  found: FoundPlugin;
  settings: PluginSettings;
  service: {
    dataDir: string;
    timezone: string;
    publicUrl: string | null;
    mail: MailSettings;
    logLevel: string;
    delivery: { timeoutMs: number; retry: RetryPolicy; batchSize: number; batchBytes: number; leaseMs: number };
  };
  /** Identifies this process among instances sharing a database (leases, claims). */
  instanceId: string;
  /** Per-plugin leases (PostgreSQL, several instances). */
  useLeases: boolean;
  /** Absent in check mode. */
  store?: StoreLink;
  /** LogHead buffer (./shared-state.ts). */
  head: SharedArrayBuffer;
  /** IsolateBoard buffer (./shared-state.ts). */
  board: SharedArrayBuffer;
  /**
   * 'stderr': log lines are written to fd 2 by the isolate itself (production:
   * the ingest thread never touches them); 'parent': sent to the ingest
   * thread's logger (tests, pretty printing).
   */
  logTo: 'stderr' | 'parent';
  /** How the isolate compiles a .ts file the main thread did not compile ahead (./compile-bridge.ts). */
  compile: CompileLine;
  /**
   * Wait for an 'init' message before running init: at service start the
   * plugins load in parallel but init in config order (`plugins.order`).
   */
  initGate: boolean;
}

export interface ErrorData {
  message: string;
  /** A LivehookError's code, when it was one. */
  code?: string;
  details?: Record<string, unknown>;
}

/** Ingest thread -> isolate. */
export type ToIsolate =
  | { type: 'stop'; graceMs: number }
  /** Answer a before-callback (the plugin's `decide`) by `deadline` (ms since the epoch). */
  | { type: 'decide'; id: number; event: CallbackEvent; deadline: number }
  /** Run init now (the plugins before it in config order have started). */
  | { type: 'init' }
  | { type: 'task'; id: number; task: string; args: Record<string, string> }
  /** Dead deliveries were requeued (livehook replay, running in this process): look for due retries now. */
  | { type: 'kick' };

/** A delivery attempt, for the livehook_plugin_run_seconds histogram. */
export type AttemptSample = [outcome: 'done' | 'retry' | 'dead', durationMs: number];

/** Isolate -> ingest thread. */
export type FromIsolate =
  /** Loaded and ready to run init (initGate): waiting for 'init'. */
  | { type: 'loaded' }
  | { type: 'ready'; facts: PluginFacts }
  | { type: 'failed'; error: ErrorData }
  | { type: 'log'; lines: string[] }
  | { type: 'metrics'; attempts: AttemptSample[]; mails: Array<['smtp' | 'outbox', 'sent' | 'failed']>; cron: Array<[job: string, finishedAt: number]> }
  | { type: 'task-done'; id: number; result?: string; error?: ErrorData }
  /** A checked decision (see src/decide/decision.ts), or why there is none. */
  | { type: 'decided'; id: number; decision?: Decision; error?: ErrorData }
  /** "isolation": "process": the plugin's child process crashed and is being restarted (the isolate itself goes on). */
  | { type: 'crashed'; reason: string }
  | { type: 'stopped' };
