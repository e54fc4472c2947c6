import { expect } from 'chai';
import { CallCancellation, runWithTimeout } from '../../src/isolate/inside/run-with-timeout';

describe('CallCancellation: the signal a delivery hands its handler', () => {
  it('is aborted with the reason when read only after the abort', () => {
    const call = new CallCancellation();
    call.abort(new Error('livehook is shutting down'));
    expect(call.signal.aborted).to.equal(true);
    expect((call.signal.reason as Error).message).to.equal('livehook is shutting down');
  });

  it('fires for a handler that read it before the abort, once, with the first reason', () => {
    const call = new CallCancellation();
    const reasons: string[] = [];
    call.signal.addEventListener('abort', () => reasons.push((call.signal.reason as Error).message));
    call.abort(new Error('first'));
    call.abort(new Error('second'));
    expect(reasons).to.deep.equal(['first']);
  });

  it('times out an async handler, aborting its signal, and leaves a synchronous one alone', async () => {
    const call = new CallCancellation();
    const slow = runWithTimeout('p', 20, call, () => new Promise((resolve) => setTimeout(resolve, 1000)));
    const err = await slow.then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.equal('plugin "p" timed out after 20 ms');
    expect(call.signal.aborted).to.equal(true);
    expect(await runWithTimeout('p', 20, new CallCancellation(), () => 42)).to.equal(42);
  });
});
