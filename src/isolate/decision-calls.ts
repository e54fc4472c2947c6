/**
 * The decide calls a plugin's isolate has not answered yet. Each waits at
 * most until its deadline: Tencent is waiting too, so a late answer is
 * dropped, not awaited (see src/decide/decision-maker.ts).
 */
import { LivehookError } from '../errors';
import type { Decision } from '../decide/decision';
import type { ErrorData } from './protocol';
import { errorFromData } from './error-data';

interface Waiting {
  resolve(decision: Decision): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class DecisionCalls {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor(private readonly plugin: string) {}

  /** Registers a call and returns its id (to send) and its answer. */
  open(deadline: number): { id: number; answer: Promise<Decision> } {
    const id = this.nextId++;
    const waitMs = Math.max(0, deadline - Date.now());
    const answer = new Promise<Decision>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new LivehookError('PLUGIN_TIMEOUT', `plugin "${this.plugin}" did not decide within ${waitMs} ms (its share of the decision budget)`, { plugin: this.plugin, hook: 'decide' }));
      }, waitMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** The isolate answered. */
  settle(id: number, decision: Decision | undefined, error: ErrorData | undefined): void {
    const call = this.waiting.get(id);
    if (!call) return; // already past its deadline
    this.waiting.delete(id);
    clearTimeout(call.timer);
    if (decision) call.resolve(decision);
    else call.reject(error ? errorFromData(error) : new LivehookError('PLUGIN_FAILED', `plugin "${this.plugin}" answered a decision call with nothing`, { plugin: this.plugin, hook: 'decide' }));
  }

  /** The isolate ended: nothing it was asked will be answered. */
  failAll(why: string): void {
    for (const [id, call] of this.waiting) {
      clearTimeout(call.timer);
      call.reject(new LivehookError('PLUGIN_FAILED', `plugin "${this.plugin}" ended before it decided: ${why}`, { plugin: this.plugin, hook: 'decide' }));
      this.waiting.delete(id);
    }
  }
}
