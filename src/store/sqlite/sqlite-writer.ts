/**
 * The main thread's handle on the writer thread (./writer-thread.ts): sends
 * it requests, matches its replies, and keeps it from holding the process
 * open while it has nothing to do (a store that was never closed does not
 * keep a CLI command or a test run alive).
 *
 * Failures come back as plain Errors carrying SQLite's message and code; the
 * store turns them into STORE_FAILED errors that say what it was doing.
 */
import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { precompileTree, ROOT } from '../../bin/ts-loader';
import type { EventColumns } from '../event-columns';
import type { AppendOutcome, NamedWrite, OpOutcome, WriterConfig, WriterError, WriterReply, WriterRequest, WriterSettings } from './writer-protocol';

type Reply = Exclude<WriterReply, { type: 'ready' } | { type: 'failed' }>;
/** A request before it is numbered (Omit of each member of the union). */
type RequestBody = WriterRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Waiting {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

const BOOT_FILE = path.join(__dirname, 'writer-boot.js');

/** What the writer is reached through: its Worker (the store that started it) or a MessagePort (a plugin isolate's line). */
type Channel = Worker | MessagePort;

export class SqliteWriter {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Set once the thread is gone (closed, or died): every later request is refused with it. */
  private stopped: Error | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly channel: Channel,
    /** The writer's connection settings (null on an attached line: its owner knows them). */
    readonly settings: WriterSettings | null,
    onDied: (reason: Error) => void,
  ) {
    channel.on('message', (reply: WriterReply) => this.onReply(reply));
    const died = (reason: Error) => {
      const unexpected = !this.stopped && !this.closing;
      this.stop(reason);
      if (unexpected) onDied(reason);
    };
    if (channel instanceof Worker) {
      this.exited = new Promise((resolve) => channel.once('exit', () => resolve()));
      channel.on('error', (err) => died(new Error(`the writer thread failed: ${err.message}`, { cause: err })));
      channel.on('exit', (code) => died(new Error(`the writer thread exited unexpectedly (code ${code})`)));
    } else {
      this.exited = new Promise((resolve) => channel.once('close', () => resolve()));
      channel.on('close', () => died(new Error('the line to the writer thread closed (the store is closed)')));
    }
    channel.unref();
  }

  /**
   * A plugin isolate's writer: requests go over `port` (from the owner's
   * attachPort()) to the same writer thread, and join its group commits.
   */
  static attach(port: MessagePort, onDied: (reason: Error) => void): SqliteWriter {
    return new SqliteWriter(port, null, onDied);
  }

  /** Opens a new line to the writer thread for another thread (a plugin isolate); transfer the port to it. */
  attachPort(): MessagePort {
    if (!(this.channel instanceof Worker)) throw new Error('only the store that started the writer thread can open lines to it');
    if (this.stopped) throw this.stopped;
    const { port1, port2 } = new MessageChannel();
    this.channel.postMessage({ type: 'attach', port: port1 }, [port1]);
    return port2;
  }

  /**
   * Starts the thread and opens its connection; rejects with SQLite's error
   * when it cannot. `onDied` is told if the thread ends without close().
   */
  static start(config: WriterConfig, onDied: (reason: Error) => void): Promise<SqliteWriter> {
    // The thread must find its code compiled: it may not load the compiler itself (see src/bin/ts-loader.js).
    precompileTree(path.join(ROOT, 'src', 'store'), () => undefined);
    const worker = new Worker(BOOT_FILE, { workerData: config });
    return new Promise((resolve, reject) => {
      const settle = () => {
        // Only our own listeners: the Worker has internal ones of its own.
        worker.off('message', onFirstMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (err: Error) => {
        settle();
        void worker.terminate();
        reject(err);
      };
      const onFirstMessage = (reply: WriterReply) => {
        if (reply.type !== 'ready') {
          fail(toError(reply.type === 'failed' ? reply.error : { message: `unexpected first message ${reply.type}` }));
          return;
        }
        settle();
        resolve(new SqliteWriter(worker, reply.settings, onDied));
      };
      const onError = (err: Error) => fail(err);
      const onExit = (code: number) => fail(new Error(`the writer thread exited (code ${code}) before it was ready`));
      worker.on('message', onFirstMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /**
   * Writes the events (in one savepoint) and the named writes (each in its own) in the
   * writer's next transaction. Rejects when the transaction failed: then
   * nothing of it was written.
   */
  async write(events: EventColumns[], ops: NamedWrite[]): Promise<{ appended: AppendOutcome; outcomes: OpOutcome[] }> {
    const reply = await this.request({ type: 'write', events, ops });
    if (reply.type === 'error') throw toError(reply.error);
    if (reply.type !== 'written') throw new Error(`the writer thread answered ${reply.type} to a write`);
    return reply;
  }

  /** Why the thread is gone (closed or died), or null while it runs. */
  get failure(): Error | null {
    return this.stopped;
  }

  /**
   * Closes the writer's connection after the requests already sent, and
   * waits for the thread to end; on an attached line, closes the line only.
   * Idempotent.
   */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.closing = true;
      await this.request({ type: 'close' }).catch(() => undefined);
      this.stop(new Error('the writer thread is closed'));
      // Until the thread has ended: an unreferenced worker would let the
      // process exit in the middle of the caller's `await close()`.
      this.channel.ref();
      if (!(this.channel instanceof Worker)) this.channel.close();
    }
    await this.exited;
  }

  private request(body: RequestBody): Promise<Reply> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.waiting.size === 0) this.channel.ref(); // an answer is due: stay alive for it
      this.waiting.set(id, { resolve, reject });
      this.channel.postMessage({ ...body, id } as WriterRequest);
    });
  }

  private onReply(reply: WriterReply): void {
    if (reply.type === 'ready' || reply.type === 'failed') return;
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.channel.unref();
    waiting.resolve(reply);
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const waiting of this.waiting.values()) waiting.reject(this.stopped);
    this.waiting.clear();
  }
}

function toError(error: WriterError): Error {
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
}
