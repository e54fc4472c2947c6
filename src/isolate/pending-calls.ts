/**
 * Calls sent to a plugin's isolate that it has not answered yet (CLI tasks,
 * decisions), by id. A call with a deadline stops waiting there: Tencent is
 * waiting on a decision too, so a late answer is dropped, not awaited.
 */
import type { LivehookError } from '../errors';
import { errorFromData } from './error-data';
import type { ErrorData } from './protocol';

interface Waiting<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | null;
}

export class PendingCalls<T> {
  private readonly waiting = new Map<number, Waiting<T>>();
  private nextId = 1;

  /** Registers a call and returns its id (to send) and its answer; `late` names the failure past `deadline`. */
  open(deadline: number | null, late?: (waitedMs: number) => LivehookError): { id: number; answer: Promise<T> } {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      if (deadline !== null) {
        const waitMs = Math.max(0, deadline - Date.now());
        timer = setTimeout(() => {
          this.waiting.delete(id);
          reject(late!(waitMs));
        }, waitMs);
      }
      this.waiting.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** The isolate answered with a value or an error. */
  settle(id: number, value: T, error: ErrorData | undefined): void {
    const call = this.waiting.get(id);
    if (!call) return; // already past its deadline
    this.waiting.delete(id);
    if (call.timer) clearTimeout(call.timer);
    if (error) call.reject(errorFromData(error));
    else call.resolve(value);
  }

  /** The isolate ended: nothing it was asked will be answered. */
  failAll(err: (id: number) => Error): void {
    for (const [id, call] of this.waiting) {
      if (call.timer) clearTimeout(call.timer);
      call.reject(err(id));
    }
    this.waiting.clear();
  }
}
