/**
 * The service's own configuration (config/livehook.json) and its joi schema.
 * Every key has a default, so an empty file (or none) is a working setup.
 */
import type { DecisionSettings } from '../decide/decision-maker';
import Joi from 'joi';
import type { LogLevel } from '../log/logger';
import { LOG_LEVELS } from '../log/logger';
import { mailSettingsSchema, type MailSettings } from '../mail/mail-settings';
import { DEFAULT_PG_TIMEOUTS, type PgTimeouts } from '../store/postgres/pg-timeouts';
import { cronExpression, timerMs, timezoneName } from './joi-extras';

export interface RetryPolicy {
  /** First retry waits baseMs, then doubles each attempt... */
  baseMs: number;
  /** ...up to capMs. */
  capMs: number;
  /** Attempts in all (the first try included) before the delivery goes dead. */
  maxAttempts: number;
}

export interface ServiceConfig {
  port: number;
  host: string;
  dataDir: string;
  /** IANA zone that defines a report's day; the system's when not set. */
  timezone: string;
  /**
   * The service's address as its readers reach it (https://livehook.example.com,
   * maybe behind a proxy), without a trailing slash: mails link to pages under
   * it. Null: no links, rather than links that lead nowhere.
   */
  publicUrl: string | null;
  log: { level: LogLevel };
  http: {
    /** Largest callback body accepted, in bytes. */
    bodyLimitBytes: number;
    /** How long a callback's body may take to arrive once its headers have; past it 408 (a stalled upload holds the in-flight budget). */
    bodyTimeoutMs: number;
    /** Trust X-Forwarded-* from a reverse proxy. */
    proxy: boolean;
  };
  auth: {
    /** Accepted SdkAppids; empty = any. */
    sdkAppIds: string[];
    /** Callback token; when set, Sign and RequestTime are required. */
    callbackToken: string | null;
    maxClockSkewSeconds: number;
    /** Bearer token for /reports and admin routes; null = open. */
    adminToken: string | null;
  };
  store: {
    /** postgres://... selects PostgreSQL; null = SQLite under dataDir. */
    databaseUrl: string | null;
    synchronous: 'FULL' | 'NORMAL';
    /** PostgreSQL only: how long to wait for the database (src/store/postgres/pg-timeouts.ts). */
    postgres: PgTimeouts;
  };
  ingest: {
    /** Stored events not yet finished by every plugin; past it /callback answers 503. */
    maxPendingEvents: number;
    /** The bytes of those events (they wait on disk, not in memory); past it /callback answers 503. */
    maxPendingBytes: number;
    /** Appends waiting for their commit; past it /callback answers 503. */
    maxPendingWrites: number;
    /** The bytes those appends hold in memory; past it /callback answers 503. */
    maxPendingWriteBytes: number;
    /** Bytes of callback bodies being received at once; past it a new one is answered 503 before it is read. */
    maxBodyBytesInFlight: number;
    /** From a callback's arrival: not stored by then, it is answered 503 while Tencent (2 s) still listens. */
    answerTimeoutMs: number;
  };
  /** Before-callbacks answered by deciding plugins (src/decide/decision-maker.ts). */
  decisions: DecisionSettings;
  delivery: {
    timeoutMs: number;
    retry: RetryPolicy;
    /** Events a plugin takes from the log at a time... */
    batchSize: number;
    /** ...and no more bytes of them than this (1 MB bodies come a few at a time). */
    batchBytes: number;
    /** On shutdown, how long running deliveries may take to finish. */
    shutdownGraceMs: number;
    /**
     * Instances sharing PostgreSQL: how long a plugin's lease lasts without
     * renewal, i.e. how soon another instance takes over the work of one that died.
     */
    leaseMs: number;
  };
  retention: {
    days: number;
    /** Cron expression of the daily prune. */
    schedule: string;
  };
  mail: MailSettings;
  plugins: {
    /** Folder scanned for plugins. */
    dir: string;
    /** The order plugins are initialised and offered each event; others follow by name. */
    order: string[];
  };
}

const MIB = 1024 * 1024;

/** A time-out in whole milliseconds within [min, max]. There is no "0 = none": every wait for the database ends. */
function milliseconds(min: number, max: number, fallback: number): Joi.NumberSchema {
  return Joi.number().integer().min(min).max(max).default(fallback);
}


/**
 * A token with white space or a control character at either end is a
 * mistake (a "\r" left by an env file written on Windows, a space pasted
 * with it): kept, every Sign computed with the real token fails, and every
 * callback is refused while the config looks fine.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const BLANK_OR_CONTROL = /[\s\x00-\x1f\x7f]/;

function secret(schema: Joi.StringSchema): Joi.StringSchema {
  return schema.custom((value: string, helpers) => {
    const edge = [value.slice(-1), value[0] ?? ''].find((c) => BLANK_OR_CONTROL.test(c));
    if (edge === undefined) return value;
    const what = edge === '\r' ? 'a carriage return ("\\r": an env file saved with Windows line ends?)' : edge === '\n' ? 'a line feed' : edge === ' ' ? 'a space' : edge === '\t' ? 'a tab' : `the control character U+${edge.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
    return helpers.message({ custom: `{{#label}} begins or ends with ${what}: remove it (as it is, no Sign or sign-in would ever match)` });
  }, 'no white space at either end');
}

const retrySchema = Joi.object({
  baseMs: timerMs(1).default(1000),
  capMs: timerMs(1).default(5 * 60 * 1000),
  maxAttempts: Joi.number().integer().min(1).max(1000).default(10),
});

export { retrySchema };

export const serviceConfigSchema = Joi.object<ServiceConfig>({
  port: Joi.number().integer().min(0).max(65535).default(8080),
  host: Joi.string().default('0.0.0.0'),
  dataDir: Joi.string().default('./data'),
  timezone: timezoneName().default(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
  publicUrl: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .custom((value: string, helpers) => (/[?#]/.test(value) ? helpers.error('string.publicUrl') : value.replace(/\/+$/, '')))
    .messages({ 'string.publicUrl': '{{#label}} must be a base address without a query or fragment (e.g. https://livehook.example.com)' })
    .allow(null)
    .default(null),
  log: Joi.object({ level: Joi.string().valid(...LOG_LEVELS).default('info') }).default(),
  http: Joi.object({
    bodyLimitBytes: Joi.number().integer().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    bodyTimeoutMs: Joi.number().integer().min(100).max(600_000).default(10_000),
    proxy: Joi.boolean().default(false),
  }).default(),
  auth: Joi.object({
    sdkAppIds: Joi.array()
      .items(Joi.string().pattern(/^\d+$/, 'digits only (an SDKAppID such as 1400000001)').messages({ 'string.base': 'must be the SDKAppID in quotes, as a string ("1400000001")' }))
      .default([]),
    callbackToken: secret(Joi.string().min(1).max(128)).allow(null).default(null),
    maxClockSkewSeconds: Joi.number().integer().min(1).max(3600).default(60),
    adminToken: secret(Joi.string().min(8)).allow(null).default(null),
  }).default(),
  store: Joi.object({
    databaseUrl: Joi.string().uri({ scheme: ['postgres', 'postgresql'] }).allow(null).default(null),
    synchronous: Joi.string().valid('FULL', 'NORMAL').default('FULL'),
    postgres: Joi.object({
      connectTimeoutMs: milliseconds(100, 60_000, DEFAULT_PG_TIMEOUTS.connectTimeoutMs),
      statementTimeoutMs: milliseconds(100, 3_600_000, DEFAULT_PG_TIMEOUTS.statementTimeoutMs),
      commitTimeoutMs: milliseconds(100, 600_000, DEFAULT_PG_TIMEOUTS.commitTimeoutMs),
      pruneTimeoutMs: milliseconds(100, 3_600_000, DEFAULT_PG_TIMEOUTS.pruneTimeoutMs),
      idleInTransactionTimeoutMs: milliseconds(1000, 3_600_000, DEFAULT_PG_TIMEOUTS.idleInTransactionTimeoutMs),
    }).default(),
  }).default(),
  ingest: Joi.object({
    maxPendingEvents: Joi.number().integer().min(1).default(100_000),
    maxPendingBytes: Joi.number().integer().min(1024).default(256 * MIB),
    maxPendingWrites: Joi.number().integer().min(1).default(10_000),
    maxPendingWriteBytes: Joi.number().integer().min(1024).default(64 * MIB),
    maxBodyBytesInFlight: Joi.number().integer().min(1024).default(64 * MIB),
    // Tencent stops listening after 2 s: a later answer is worth nothing, so the cap leaves room for the network.
    answerTimeoutMs: Joi.number().integer().min(100).max(1900).default(1800),
  }).default(),
  decisions: Joi.object({
    // Tencent blocks a gift it has no answer for within 2 s: the budget must leave room for the network.
    budgetMs: Joi.number().integer().min(100).max(1900).default(1500),
    storeReserveMs: Joi.number().integer().min(10).max(1000).default(250),
    onError: Joi.string().valid('allow', 'reject').default('allow'),
  })
    .custom((value: DecisionSettings, helpers) => (value.storeReserveMs >= value.budgetMs ? helpers.message({ custom: 'decisions.storeReserveMs must be less than decisions.budgetMs' }) : value))
    .default(),
  delivery: Joi.object({
    timeoutMs: timerMs(1).default(10_000),
    retry: retrySchema.default(),
    batchSize: Joi.number().integer().min(1).max(10_000).default(500),
    batchBytes: Joi.number().integer().min(1024).default(8 * MIB),
    shutdownGraceMs: timerMs(0).default(10_000),
    leaseMs: Joi.number().integer().min(1000).max(10 * 60 * 1000).default(15_000),
  }).default(),
  retention: Joi.object({
    days: Joi.number().integer().min(1).max(36_500).default(90),
    schedule: cronExpression().default('30 3 * * *'),
  }).default(),
  mail: mailSettingsSchema.default(),
  plugins: Joi.object({
    dir: Joi.string().default('./plugins'),
    order: Joi.array().items(Joi.string()).unique().default([]),
  }).default(),
});
