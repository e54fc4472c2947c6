/**
 * A plugin's delivery loop learns of new events without a wake per commit:
 * while traffic flows it looks at the log head itself, and once traffic has
 * stopped it sleeps and the ingest thread wakes it. Either way no news is
 * missed, and an idle loop does not spin.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { IsolateBoard, LogHead } from '../../src/isolate/shared-state';
import { NewsWaiter } from '../../src/isolate/inside/news-waiter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed(work: Promise<void>): Promise<number> {
  const started = Date.now();
  await work;
  return Date.now() - started;
}

describe('NewsWaiter: how a delivery loop waits for new events', () => {
  it('sleeps once traffic has stopped, and is woken by the next publish', async () => {
    const head = LogHead.create();
    const waiter = new NewsWaiter(head, IsolateBoard.create(1));
    head.publish(1);
    waiter.look();
    await sleep(300); // traffic has stopped
    const seen = waiter.look();
    const waiting = waiter.wait(seen, 5000);
    setTimeout(() => head.publish(2), 50);
    expect(await timed(waiting)).to.be.below(1000);
    expect(head.news).not.to.equal(seen);
  });

  it('while traffic flows, sees a publish within milliseconds without being woken', async () => {
    const head = LogHead.create();
    const waiter = new NewsWaiter(head, IsolateBoard.create(1));
    head.publish(1);
    const seen = waiter.look(); // news just came: hot
    const waiting = waiter.wait(seen, 5000);
    await sleep(10);
    expect(head.sleepers, 'napping, not asleep on the head: a publish wakes nobody').to.equal(0);
    head.publish(2);
    expect(await timed(waiting)).to.be.below(1000);
  });

  it('never misses a publish made before it sleeps: the wait ends at once', async () => {
    const head = LogHead.create();
    const waiter = new NewsWaiter(head, IsolateBoard.create(1));
    await sleep(300);
    const seen = waiter.look();
    head.publish(5); // between looking at the log and going to sleep
    expect(await timed(waiter.wait(seen, 5000))).to.be.below(100);
  });

  it('ends the wait on wake() and at its time-out, and sleeps (no spinning) when idle', async () => {
    const head = LogHead.create();
    const waiter = new NewsWaiter(head, IsolateBoard.create(1));
    await sleep(300);
    const woken = waiter.wait(waiter.look(), 5000);
    await sleep(30);
    expect(head.sleepers, 'asleep on the head').to.equal(1);
    waiter.wake();
    expect(await timed(woken)).to.be.below(1000);
    // Its sleep on the head ends too: a loop that stops leaves no sleeper counted (each would cost every commit a wake).
    await waiter.settled();
    expect(head.sleepers).to.equal(0);

    // Idle, it sleeps on the head until the time-out: no naps (each would be a timer).
    const realSetTimeout = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    let waited: number;
    try {
      waited = await timed(waiter.wait(waiter.look(), 400));
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(waited).to.be.within(350, 1500);
    expect(timers, 'timers set while idle').to.equal(0);
  });

  it('counts out a sleeper whose thread was killed mid-sleep, once its owner calls countOut', async () => {
    const head = LogHead.create();
    const board = IsolateBoard.create(1);
    // A real thread sleeping on the head, as a plugin's isolate does, then terminated (a crash, the watchdog).
    const root = path.resolve(__dirname, '../..');
    const worker = new Worker(
      `require(${JSON.stringify(path.join(root, 'src/bin/register.js'))});
      const { LogHead, IsolateBoard } = require(${JSON.stringify(path.join(root, 'src/isolate/shared-state.ts'))});
      const { workerData, parentPort } = require('node:worker_threads');
      const head = LogHead.from(workerData.head);
      void head.waitForNews(head.news, 60_000, IsolateBoard.from(workerData.board));
      parentPort.postMessage('asleep');`,
      { eval: true, workerData: { head: head.buffer, board: board.buffer } },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    expect(head.sleepers).to.equal(1);
    await worker.terminate();
    expect(head.sleepers, 'its finally never ran').to.equal(1);
    expect(board.asleep).to.equal(true);
    head.countOut(board);
    expect(head.sleepers).to.equal(0);
    head.countOut(board); // twice (exit seen twice) counts out once
    expect(head.sleepers).to.equal(0);
  });
});
