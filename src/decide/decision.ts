/**
 * Decisions: what a plugin answers a *before* callback with, and what
 * livehook records and answers Tencent.
 *
 * For Live.CallbackBeforeSendGift Tencent waits for the answer before the
 * gift goes through: ErrorCode 0 lets it through, 1 rejects it, and
 * 102100-102200 reject it with the app's own reason, passed to the sending
 * client with ErrorInfo. No answer within 2 s blocks the gift.
 */

/** What a deciding plugin returns: allow() or reject(...). */
export type Decision = { verdict: 'allow' } | ({ verdict: 'reject' } & Rejection);

export interface Rejection {
  /** 1 (the default: a plain no), or the app's code, 102100-102200, which the sending client is given with `info`. */
  code?: number;
  /** The text for the client (ErrorInfo). */
  info?: string;
  /** A short name of the rule that refused, for reports and logs ('blocked-sender'); not sent to Tencent. */
  reason?: string;
}

/** The app's own reject codes, passed to the sending client. */
export const APP_CODE_MIN = 102100;
export const APP_CODE_MAX = 102200;

export function allow(): Decision {
  return { verdict: 'allow' };
}

/**
 * Refuses: reject() answers ErrorCode 1 (Tencent's plain "no");
 * reject({ code: 102101, info: 'Daily limit reached', reason: 'daily-cap' })
 * gives the sending client the app's own code and text.
 */
export function reject(rejection: Rejection = {}): Decision {
  return { verdict: 'reject', ...rejection };
}

/** What a decider is told besides the event. */
export interface DecideContext {
  /** The event's idempotency key (a resend has the same). */
  idempotencyKey: string;
  /** When the answer must be in (ms since the epoch): the plugin's share of the budget. */
  deadline: number;
  /** Aborted at the deadline. */
  signal: AbortSignal;
}

/** What livehook answered, kept with the event, and seen by the after-plugins as `event.decision`. */
export interface DecisionRecord {
  verdict: 'allow' | 'reject';
  /** The ErrorCode answered: 0, 1, or the app's code. */
  code: number;
  /** The ErrorInfo answered. */
  info: string;
  /** The plugin whose rejection was answered; null when every decider allowed, or the onError policy answered. */
  plugin: string | null;
  /** The rejecting rule as the plugin named it (or its plugin's name), 'onError' for the policy; null when allowed. */
  reason: string | null;
  /** Why: every decider allowed, one rejected, or a decider failed or ran late and the onError policy answered. */
  by: 'deciders' | 'onError';
  /** Deciders that threw, ran past their share of the budget, or answered something that is not a decision. */
  failures: Array<{ plugin: string; error: string }>;
  /** From the request's arrival to the decision, ms. */
  ms: number;
  /** The budget ran out before every decider had answered. */
  budgetExceeded: boolean;
  /** When it was decided (ms since the epoch). */
  at: number;
}

/** Longest `info` a decider may give (it is answered to Tencent and stored with the event). */
export const MAX_INFO_CHARS = 1_000;
/** In a u-mode pattern a surrogate pair is one code point, so this finds only unpaired halves. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Characters as a reader counts them (code points): an emoji is one, not two UTF-16 units. */
function characters(text: string): number {
  // A string's length is its UTF-16 units; no more code points than that, so only a long one is walked.
  if (text.length <= MAX_INFO_CHARS) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A decider's answer checked: a Decision, or the reason it is not one. */
export function checkDecision(value: unknown): { decision: Decision } | { problem: string } {
  if (value === null || typeof value !== 'object') return { problem: `decide() returned ${value === null ? 'null' : typeof value}, not a decision (allow() or reject(...))` };
  const d = value as { verdict?: unknown; code?: unknown; info?: unknown; reason?: unknown };
  if (d.verdict === 'allow') return { decision: { verdict: 'allow' } };
  if (d.verdict !== 'reject') return { problem: `decide() returned a verdict of ${JSON.stringify(d.verdict)}: "allow" or "reject" expected` };
  if (d.code !== undefined && d.code !== 1 && !(Number.isInteger(d.code) && (d.code as number) >= APP_CODE_MIN && (d.code as number) <= APP_CODE_MAX)) {
    return { problem: `decide() rejected with code ${JSON.stringify(d.code)}: 1, or an app code from ${APP_CODE_MIN} to ${APP_CODE_MAX}, expected` };
  }
  // info goes back to Tencent and on to the sending client: bounded, and text that JSON carries whole.
  if (d.info !== undefined && (typeof d.info !== 'string' || characters(d.info) > MAX_INFO_CHARS || LONE_SURROGATE.test(d.info))) {
    return { problem: `decide() rejected with an info that is not a string of at most ${MAX_INFO_CHARS} characters of well-formed text (no lone surrogates)` };
  }
  if (d.reason !== undefined && (typeof d.reason !== 'string' || d.reason.length > 100)) return { problem: 'decide() rejected with a reason that is not a string of at most 100 characters' };
  const decision: Decision = { verdict: 'reject' };
  if (d.code !== undefined) decision.code = d.code as number;
  if (d.info !== undefined) decision.info = d.info as string;
  if (d.reason !== undefined) decision.reason = d.reason as string;
  return { decision };
}
