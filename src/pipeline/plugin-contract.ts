/**
 * The plugin contract: what a plugin module exports and what it may ask for.
 *
 * A plugin is a folder `plugins/<name>/` whose index (.ts or .js) has a
 * default export built with `definePlugin({...})`. livehook validates the
 * manifest, validates the plugin's options with the manifest's joi schema,
 * builds a child container that holds only the capabilities the manifest
 * asks for AND the plugin's config grants, and resolves the handler class
 * from it. Each plugin runs in its own isolate (a worker thread, or a child
 * process with `"isolation": "process"`): see src/isolate/README.md for what
 * each level stops and what it does not.
 */
import type Joi from 'joi';
import type { CallbackEvent } from '../callbacks/event';
import type { PluginRecords } from '../store/store';
import type { DecideContext, Decision } from '../decide/decision';

/**
 * Injection tokens. They are plain strings on purpose: a plugin dropped into
 * plugins/ can write `@inject('mailer')` without importing anything of ours.
 */
export const TOKENS = {
  /** Always available: the plugin's validated options (its config file minus the reserved keys). */
  options: 'options',
  /** Always available: facts about the plugin and the service (name, timezone, data dir). */
  context: 'context',
  /** Always available: a pino logger bound to the plugin's name. */
  logger: 'logger',
  /** Sends mail through SMTP, or writes .eml files to the outbox when no SMTP server is configured. */
  mailer: 'mailer',
  /** The plugin's own records (collections of JSON keyed and indexed by time). */
  store: 'store',
  /** Cron jobs that run once per slot across instances, stopped at shutdown. */
  scheduler: 'scheduler',
  /** Writes and reads the daily reports served under /reports. */
  reports: 'reports',
  /** Outbound HTTP (the platform's fetch). */
  http: 'http',
} as const;

/** Capabilities a manifest may ask for and config must grant: injected by these tokens. */
export const GRANTABLE = ['mailer', 'store', 'scheduler', 'reports', 'http'] as const;
export type Capability = (typeof GRANTABLE)[number];
/** Always provided; listing them in a manifest is allowed and changes nothing. */
export const ALWAYS_GRANTED = ['logger', 'options', 'context'] as const;
/**
 * What a plugin's own code may reach beyond its capabilities, when config
 * grants it (nothing is injected: the modules simply load):
 *   fs              write files anywhere (without it: only under its data dir)
 *   net             sockets: net, tls, http, https, http2, dgram, and the global fetch
 *   child_process   child_process and cluster, process.kill
 *   worker_threads  threads of its own
 *   env             the service's environment variables (without it: PATH, HOME, TZ, LANG, NODE_ENV)
 *   inspector       node:inspector: a debugger session, on the service's main thread too (thread
 *                   isolation only: Node's permission model refuses it to a child process)
 *   addons          native addons of its own (.node files, process.dlopen)
 */
export const MODULE_GRANTS = ['fs', 'net', 'child_process', 'worker_threads', 'env', 'inspector', 'addons'] as const;
export type ModuleGrant = (typeof MODULE_GRANTS)[number];

/** What a handler is told about the delivery it is running. */
export interface Delivery {
  /** The event's stable id: use it to make side effects exactly-once. */
  idempotencyKey: string;
  /** 1 for the first try, then 2, 3, ... */
  attempt: number;
  /** The event's position in the log. */
  seq: number;
  /** Aborted when the plugin's timeout passes or the service is stopping. */
  signal: AbortSignal;
}

/** What `check` is told: the facts of the 'context' token, and how the service sends mail. */
export interface CheckContext extends PluginContext {
  mail: {
    /** 'smtp' when a server is configured, else 'outbox' (.eml files). */
    transport: 'smtp' | 'outbox';
    /** Recipients from LIVEHOOK_ALERT_TO or config `mail.alertTo`. */
    defaultTo: readonly string[];
  };
}

export interface PluginHandler {
  /** Called once at start, in config order, before any event. */
  init?(): Promise<void> | void;
  /**
   * Called for each stored event whose command the manifest subscribes to.
   * Throw to have it retried with backoff; throw a PermanentError to give up
   * at once. Keep inputs and outputs plain data.
   */
  handle(event: CallbackEvent, delivery: Delivery): Promise<void> | void;
  /**
   * Answers a *before* callback the manifest lists in `decides`, while
   * Tencent waits: return allow() or reject(info?, code?). Called before the
   * event is stored, within `ctx.deadline` (its share of the decision
   * budget); a throw or a late answer is skipped and the service's `onError`
   * policy answers. The event then reaches `handle` like any other, with
   * `event.decision` set.
   */
  decide?(event: CallbackEvent, ctx: DecideContext): Promise<Decision> | Decision;
  /** Called once at shutdown, in reverse config order. Stop timers here. */
  close?(): Promise<void> | void;
  /**
   * Runs a named task the manifest lists in `tasks`, on demand from the CLI
   * (for example `livehook report` calls task 'report' with { date }).
   * Returns a short summary for the terminal.
   */
  runTask?(task: string, args: Record<string, string>): Promise<string | void>;
}

export interface PluginManifest {
  name: string;
  version: string;
  description?: string;
  /**
   * Commands to receive, or '*' for every command (unknown ones included);
   * or a function of the validated options that returns either, for a
   * plugin whose options choose its commands (events it does not take are
   * never even read from the log for it).
   */
  commands: readonly string[] | '*' | ((options: never) => readonly string[] | '*');
  /**
   * *Before* callbacks this plugin answers with `decide` (for example
   * 'Live.CallbackBeforeSendGift'). Deciding plugins are asked in config
   * order; the first rejection wins.
   */
  decides?: readonly string[];
  /** joi schema of the plugin's options; unknown keys are refused unless it allows them. */
  options?: Joi.ObjectSchema;
  /** Capabilities the plugin needs; each must be granted in its config file. */
  capabilities?: readonly string[];
  /**
   * How many deliveries of this plugin may run at once (default 1: one event
   * at a time, in log order). Raise it for handlers whose events are
   * independent, so their I/O overlaps; config may override it.
   */
  concurrency?: number;
  /** Tasks the CLI may ask the handler to run (see PluginHandler.runTask). */
  tasks?: readonly string[];
  /** The handler class, resolved through the plugin's own tsyringe child container. */
  handler: new (...args: never[]) => PluginHandler;
  /**
   * Checks of the options that need no network, run by `livehook config
   * check`, `livehook plugins`, a config reload and the start alike, before
   * init. Throw (a message naming the option) to refuse the configuration.
   */
  check?(options: never, context: CheckContext): void | Promise<void>;
}

/** Facts injected as 'context'. */
export interface PluginContext {
  name: string;
  version: string;
  /** IANA zone that defines a day (LIVEHOOK_TIMEZONE, else the system's). */
  timezone: string;
  /** The plugin's own folder under the data dir (created on demand). */
  dataDir: string;
  /** The service's root data dir. */
  serviceDataDir: string;
  /** The service's address as readers reach it (LIVEHOOK_PUBLIC_URL, no trailing slash), for links in mail; null when not set. */
  publicUrl: string | null;
  /** How the plugin runs: 'thread' (a worker thread, the default) or 'process' (a child process under Node's permission model). */
  isolation: 'thread' | 'process';
}

export type { PluginRecords };

/** Identity function that gives a plugin author types and completion. */
export function definePlugin<M extends PluginManifest>(manifest: M): M {
  return manifest;
}
