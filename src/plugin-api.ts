/**
 * Everything a plugin author imports: `import { definePlugin } from 'livehook'`.
 * A plugin anywhere on disk resolves 'livehook' to this file (see bin/register.js).
 */
export { definePlugin, TOKENS, GRANTABLE, ALWAYS_GRANTED, MODULE_GRANTS } from './pipeline/plugin-contract';
export type { PluginManifest, PluginHandler, Delivery, PluginContext, CheckContext, Capability, ModuleGrant, PluginRecords } from './pipeline/plugin-contract';
export type { PluginRecord, CounterChange } from './store/store';
export type { Mailer, MailMessage, MailResult, Scheduler, ScheduledRun, ScheduleOptions, CaughtUpOptions, Reports, ReportFiles, HttpClient } from './pipeline/capability-types';
export { isCommand } from './callbacks/event';
export { acceptedEventTypes, mayArriveWithoutEventType } from './callbacks/schemas/event-types';
// Small helpers the service and the bundled plugins share (a plugin imports only 'livehook').
export { Serial } from './util/serial';
export { addDays, isDate } from './util/calendar-days';
export { isTimeZone, sameTimeZone } from './util/time-zone';
export { oneLine } from './util/one-line';
export { retryDelay } from './pipeline/backoff';
export type { ClaimValue } from './store/store';
export type * from './callbacks/event';
export { PermanentError } from './errors';
export { allow, reject, APP_CODE_MIN, APP_CODE_MAX } from './decide/decision';
export type { Decision, Rejection, DecideContext, DecisionRecord } from './decide/decision';
export type { Logger } from 'pino';
