/**
 * The shapes of the capabilities a plugin can be granted. Implementations
 * live with the part that owns them (mail/, scheduler/, reports/); plugins
 * only ever see these interfaces.
 */

export interface MailMessage {
  /** Recipients; defaults to the mailer's `defaultTo` when omitted. */
  to?: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. a stable Message-ID derived from the idempotency key. */
  headers?: Record<string, string>;
  messageId?: string;
}

export interface MailResult {
  messageId: string;
  /** 'smtp' when a server accepted it, 'outbox' when written as an .eml file. */
  transport: 'smtp' | 'outbox';
  /** The .eml file written (outbox only). */
  file?: string;
  /** The SMTP server's final reply (smtp only). */
  response?: string;
  accepted: string[];
  rejected: string[];
}

/**
 * Sends mail. A permanent SMTP rejection (5xx) is thrown as a PermanentError
 * carrying the server's reply; anything temporary (4xx, refused, time-out) is
 * thrown as a plain Error so that the delivery is retried.
 */
export interface Mailer {
  readonly from: string;
  /** Recipients from LIVEHOOK_ALERT_TO or config `mail.alertTo`. */
  readonly defaultTo: readonly string[];
  readonly transport: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<MailResult>;
}

export interface ScheduleOptions {
  /** IANA zone of the expression; defaults to the service's timezone. */
  timezone?: string;
}

/** The time slot a cron run belongs to, and whether it is a catch-up. */
export interface ScheduledRun {
  /** The scheduled time of this run (not the time it actually started). */
  slot: Date;
}

/**
 * Cron jobs for plugins (node-cron; a seconds field is allowed). With several
 * instances on one database each slot runs once, on whichever fires first;
 * should that instance die mid-run, another runs the slot again once the
 * dead one's claim runs out (delivery.leaseMs), so a job should be safe to
 * run twice. All jobs are stopped when the service closes.
 */
export interface Scheduler {
  schedule(name: string, expression: string, task: (run: ScheduledRun) => Promise<void> | void, options?: ScheduleOptions): void;
  /**
   * Run `task` only if no instance has claimed `key` before (a unique claim in
   * the store). Resolves true when this call ran it.
   */
  once(key: string, task: () => Promise<void> | void): Promise<boolean>;
  /**
   * Resolves true once this plugin has been offered every event stored
   * before the call (its cursor in the log has passed the log's end as it
   * was then), on whichever instance delivers to it; false when that has not
   * happened within `timeoutMs` (default 10 minutes) or `signal` aborted.
   * A job that sums up what the plugin stored (a daily report) waits for it
   * first, so a backlog (after a restart, an outage, the plugin switched off
   * for a while) is in the sum. Events whose delivery failed and waits for
   * a retry count as offered.
   */
  caughtUp(options?: CaughtUpOptions): Promise<boolean>;
}

export interface CaughtUpOptions {
  /** Give up (resolve false) after this long; default 600000 (10 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ReportFiles {
  /** The report data, served as /reports/<date>.json. */
  json: unknown;
  /** A self-contained page, served as /reports/<date>. */
  html: string;
}

/**
 * Daily reports, shared with the /reports routes. The service keeps them in
 * the store, so every instance on one database sees every report, and
 * writes each one to <data dir>/reports as well (the local copy).
 */
export interface Reports {
  /** The local copy's folder (<data dir>/reports). */
  readonly dir: string;
  /** Publishes a day's report: <date>.json and <date>.html, each replaced whole. */
  write(date: string, files: ReportFiles): Promise<void>;
  readJson(date: string): Promise<unknown | null>;
  /** The page of a day, or null when there is none. */
  readHtml(date: string): Promise<string | null>;
  /** Dates (YYYY-MM-DD) that have a report, newest first. */
  list(): Promise<string[]>;
}

/** Outbound HTTP: the platform's fetch. */
export type HttpClient = typeof fetch;
