/**
 * Requests and answers over a child process's IPC channel, in both
 * directions: the isolate calls the plugin's hooks in the child, and the
 * child calls the capabilities, which stay in the isolate. Plain data only
 * (the channel uses Node's structured-clone serialization).
 */
import type { ErrorData } from '../protocol';

export type RpcMessage =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'reply'; id: number; result?: unknown; error?: ErrorData }
  /** The call `id` is to be abandoned (time-out, shutdown): the child aborts its signal. */
  | { rpc: 'abort'; id: number; reason: string }
  | { rpc: 'log'; lines: string[] }
  | { rpc: 'crashed'; reason: string };

export interface RpcChannel {
  send(message: RpcMessage): void;
}

/** One side's calls in progress, answered by `reply` messages. */
export class RpcCalls {
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private nextId = 1;

  constructor(
    private readonly channel: RpcChannel,
    private readonly toError: (data: ErrorData) => Error,
  ) {}

  /** Sends a call; resolves with its result. `onId` learns the call's id (to abort it). */
  call(method: string, args: unknown[], onId?: (id: number) => void): Promise<unknown> {
    const id = this.nextId++;
    onId?.(id);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        this.channel.send({ rpc: 'call', id, method, args });
      } catch (err) {
        this.waiting.delete(id);
        reject(err as Error);
      }
    });
  }

  /** Delivers a reply; false when no call was waiting for it. */
  settle(message: Extract<RpcMessage, { rpc: 'reply' }>): boolean {
    const waiting = this.waiting.get(message.id);
    if (!waiting) return false;
    this.waiting.delete(message.id);
    if (message.error) waiting.reject(this.toError(message.error));
    else waiting.resolve(message.result);
    return true;
  }

  /** Fails every call in progress (the other side is gone). */
  failAll(err: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(err);
    this.waiting.clear();
  }

  get pending(): number {
    return this.waiting.size;
  }
}
