/**
 * TypeScript for a plugin's isolate, compiled by the main thread.
 *
 * The compiler (@swc/core) is a native addon that crashes the process when a
 * worker thread loads it after another thread that loaded it has ended, so
 * no isolate ever loads it. The main thread compiles the plugin's folder
 * before starting its isolate; a .ts file the isolate loads that is not in
 * the cache yet (one outside the plugin's folder) is compiled on request:
 * the isolate posts the file and waits on shared memory, the main thread
 * compiles it and answers, the isolate reads the answer synchronously.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { compiled } from '../bin/ts-loader';

const WAITING = 0;
const ANSWERED = 1;
/** A compile takes milliseconds; a main thread busy for this long is not coming back. */
const COMPILE_WAIT_MS = 60_000;

export interface CompileLine {
  port: MessagePort;
  signal: SharedArrayBuffer;
}

type Answer = { code: string } | { error: string };

/** Main thread: a line an isolate compiles through (send `line` in its workerData, transfer `line.port`). */
export function openCompileLine(): { line: CompileLine; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  port1.on('message', ({ filename, source }: { filename: string; source: string }) => {
    let answer: Answer;
    try {
      answer = { code: compiled(filename, source) };
    } catch (err) {
      answer = { error: (err as Error).message };
    }
    port1.postMessage(answer);
    Atomics.store(flag, 0, ANSWERED);
    Atomics.notify(flag, 0);
  });
  port1.unref();
  return { line: { port: port2, signal }, close: () => port1.close() };
}

/** Inside the isolate: compile `filename` through the main thread and wait for the code. */
export function compileThroughMain(line: CompileLine): (filename: string, source: string) => string {
  const flag = new Int32Array(line.signal);
  return (filename, source) => {
    Atomics.store(flag, 0, WAITING);
    line.port.postMessage({ filename, source });
    if (Atomics.wait(flag, 0, WAITING, COMPILE_WAIT_MS) === 'timed-out') {
      throw new Error(`${filename}: the main thread did not compile it within ${COMPILE_WAIT_MS} ms`);
    }
    const answer = receiveMessageOnPort(line.port)?.message as Answer | undefined;
    if (!answer) throw new Error(`${filename}: no answer from the main thread's compiler`);
    if ('error' in answer) throw new Error(answer.error);
    return answer.code;
  };
}
