/**
 * The behaviour every Store engine must show, as one reusable suite.
 *
 * An engine's test file calls describeStoreConformance('name', makeStore)
 * where makeStore returns a freshly opened, EMPTY store and a cleanup that
 * removes what it created. The suite closes the store itself (close() is
 * idempotent, so the engine's cleanup may close it again).
 *
 * It only talks to the Store interface. Record scans are checked across page
 * boundaries, so run it with a small records page size when the engine has
 * one (the SQLite run uses 7).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { buildEvent } from '../../src/callbacks/build-event';
import type { CallbackEvent } from '../../src/callbacks/event';
import type { ClaimValue, Store } from '../../src/store/store';
import { makeEvent } from './make-event';

export type MakeStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** Awaits a promise that must reject with a LivehookError of `code`; returns the error. */
export async function expectRejection(promise: Promise<unknown>, code: string): Promise<Error & { code?: string }> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (err) {
    expect(err, 'rejection').to.be.instanceOf(Error);
    expect((err as { code?: string }).code, `error code of: ${(err as Error).message}`).to.equal(code);
    return err as Error & { code?: string };
  }
  throw new Error(`expected a rejection with ${code}, got ${JSON.stringify(outcome)}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function describeStoreConformance(engineName: string, makeStore: MakeStore): void {
  describe(`Store conformance: ${engineName}`, function () {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async function () {
      ({ store, cleanup } = await makeStore());
    });

    afterEach(async function () {
      await store.close();
      await cleanup();
    });

    /** Appends in order, one commit each, and returns the seqs. */
    async function appendAll(events: CallbackEvent[]): Promise<number[]> {
      const seqs: number[] = [];
      for (const e of events) seqs.push((await store.append(e)).seq);
      return seqs;
    }

    describe('lifecycle', function () {
      it('answers ping while open; after close, ping and append are refused and close can be called again', async function () {
        await store.ping();
        await store.close();
        await store.close();
        await expectRejection(store.ping(), 'STORE_FAILED');
        await expectRejection(store.append(makeEvent()), 'STORE_FAILED');
      });

      it('close() commits the appends that were waiting for a commit', async function () {
        const pending = [makeEvent(), makeEvent(), makeEvent()].map((e) => store.append(e));
        const closed = store.close();
        const results = await Promise.all(pending);
        await closed;
        expect(results.map((r) => r.duplicate)).to.deep.equal([false, false, false]);
        expect(new Set(results.map((r) => r.seq)).size).to.equal(3);
      });
    });

    describe('append and the log', function () {
      it('reads an event back deep-equal to what was appended, 18-digit account ids intact', async function () {
        const event = makeEvent({
          operator: '144115212345678901',
          query: { SdkAppid: '1400000001', Sign: 'abc', RequestTime: '1756986061' },
        });
        (event.body as Record<string, unknown>).Operator_Account = '144115212345678901';
        const original = structuredClone(event);
        const { seq, duplicate } = await store.append(event);
        expect(duplicate).to.equal(false);
        const stored = await store.getEvent(seq);
        expect(stored).to.deep.equal({ seq, event: original });
        expect((stored!.event.body.RoomInfo as Record<string, unknown>).Owner_Account).to.equal('144115212345678901');
        expect(await store.readEvents(0, 10)).to.deep.equal([{ seq, event: original }]);
      });

      it('round-trips an unknown command with every optional field null', async function () {
        const event: CallbackEvent = {
          id: 'unknown-1',
          command: 'Room.CallbackSomethingNew',
          known: false,
          sdkAppId: null,
          roomId: null,
          eventType: null,
          eventTime: null,
          operator: null,
          body: { CallbackCommand: 'Room.CallbackSomethingNew', Nested: { list: [1, 'two', null, { deep: true }] }, Emoji: '🎉' },
          raw: '{"CallbackCommand":"Room.CallbackSomethingNew"}',
          query: {},
          receivedAt: 1,
        };
        const { seq } = await store.append(structuredClone(event));
        expect(await store.getEvent(seq)).to.deep.equal({ seq, event });
      });

      it('keeps NUL characters and leading double quotes in every text value, in reads, retries and duplicates', async function () {
        // JSON allows \u0000 in any string, so Tencent's body can carry it into every column.
        const nul = makeEvent({ roomId: 'a\u0000b', operator: '\u0000@TIM#SYSTEM', eventType: 'Destroy\u0000BySystem', sdkAppId: '1400000001\u0000' });
        nul.command = 'Live.Callback\u0000AfterDestroyRoom';
        nul.body = { ...nul.body, 'Key\u0000': 'value\u0000', RoomId: 'a\u0000b' };
        nul.query = { SdkAppid: '1400000001\u0000' };
        nul.raw = '{"RoomId":"a\\u0000b"} and a raw \u0000 kept as it came';
        // Values that look like what an engine might write for them instead.
        const quoted = makeEvent({ id: '"quoted-id"', roomId: '"room"', operator: '"', eventType: '"\\u0000"', sdkAppId: '"1400000001' });
        quoted.command = '"Live.CallbackAfterDestroyRoom"';
        quoted.raw = '"not an object"';
        const plain = makeEvent({ roomId: '\\u0000 as six characters' });
        const originals = [nul, quoted, plain].map((e) => structuredClone(e));

        const results = await Promise.all([nul, quoted, plain].map((e) => store.append(e)));
        expect(results.map((r) => r.duplicate)).to.deep.equal([false, false, false]);
        expect(await store.readEvents(0, 10)).to.deep.equal(results.map((r, i) => ({ seq: r.seq, event: originals[i] })));
        for (const [i, r] of results.entries()) expect(await store.getEvent(r.seq)).to.deep.equal({ seq: r.seq, event: originals[i] });

        // A resend is known by its id, whatever the id holds.
        const again = await Promise.all(originals.map((e) => store.append(structuredClone(e))));
        expect(again).to.deep.equal(results.map((r) => ({ seq: r.seq, duplicate: true })));

        await store.recordFailure({ plugin: 'p', eventSeq: results[0]!.seq, attempts: 1, nextAttemptAt: 10, error: 'e' });
        await store.recordFailure({ plugin: 'p', eventSeq: results[1]!.seq, attempts: 1, nextAttemptAt: 10, error: 'e' });
        expect((await store.listDeliveries()).map((d) => d.eventId)).to.deep.equal([nul.id, quoted.id]);
        expect((await store.dueRetries('p', 10, 10)).map((d) => d.event.event)).to.deep.equal(originals.slice(0, 2));
      });

      it('gives increasing seqs in call order, for concurrent appends too', async function () {
        const events = Array.from({ length: 25 }, () => makeEvent());
        const results = await Promise.all(events.map((e) => store.append(e)));
        const seqs = results.map((r) => r.seq);
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).to.be.greaterThan(seqs[i - 1]!);
        expect(await store.latestSeq()).to.equal(seqs[seqs.length - 1]);
        const read = await store.readEvents(0, 100);
        expect(read.map((r) => r.event.id)).to.deep.equal(events.map((e) => e.id));
      });

      it('keeps only the raw body of an event built from it (bodyFromRaw), and reads back the same event', async function () {
        const raw = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'destroy-room.seed-example.json'), 'utf8');
        const event = buildEvent({ raw, query: { SdkAppid: '1400000001' }, receivedAt: 1_760_000_000_123 });
        const { seq } = await store.append(structuredClone(event), { bodyFromRaw: true });
        expect(await store.getEvent(seq)).to.deep.equal({ seq, event });
        expect((await store.readEvents(seq - 1, 1))[0]!.event.body).to.deep.equal(event.body);
        // Only the raw body is held while it waits for its commit, not a second copy.
        const waiting = store.append(buildEvent({ raw: raw.replace('tandy-test-rest', 'another-room'), query: {}, receivedAt: 1 }), { bodyFromRaw: true });
        expect(store.pendingWriteBytes()).to.be.below(raw.length * 1.5);
        await waiting;
      });

      it('keeps a before-callback\'s decision with its event, found by the event\'s id', async function () {
        const decision = { verdict: 'reject' as const, code: 102101, info: '今日上限', plugin: 'gift-guard', reason: 'daily-cap', by: 'deciders' as const, failures: [], ms: 3, budgetExceeded: false, at: 1_760_000_000_000 };
        const event = { ...makeEvent(), decision };
        const { seq } = await store.append(structuredClone(event));
        expect(await store.findDecision(event.id)).to.deep.equal({ decision });
        expect((await store.getEvent(seq))!.event).to.deep.equal(event);
        const plain = makeEvent();
        await store.append(plain);
        expect(await store.findDecision(plain.id), 'stored, undecided').to.deep.equal({ decision: null });
        expect(await store.findDecision('no-such-id'), 'not stored').to.equal(null);
      });

      it('reads a batch no bigger than the byte budget (but always one event), so big bodies come a few at a time', async function () {
        const big = (n: number) => makeEvent({ raw: `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Pad":"${'x'.repeat(10_000)}","N":${n}}` });
        const events = [big(1), big(2), big(3), big(4), big(5)];
        for (const e of events) await store.append(e);
        const read = await store.readEvents(0, 100, 25_000);
        // ~10 KB of raw (and a small body) each: the third crosses 25 KB, and ends the batch
        expect(read.map((r) => r.event.id)).to.deep.equal(events.slice(0, 3).map((e) => e.id));
        expect((await store.readEvents(0, 100, 1)).map((r) => r.event.id)).to.deep.equal([events[0]!.id]);
        expect(await store.readEvents(read[2]!.seq, 100, 25_000)).to.have.length(2);
        expect(await store.readEvents(0, 2)).to.have.length(2);
      });

      it('stores a repeated id once and answers the original seq with duplicate: true', async function () {
        const event = makeEvent();
        const first = await store.append(event);
        const again = await store.append({ ...makeEvent(), id: event.id });
        expect(again).to.deep.equal({ seq: first.seq, duplicate: true });
        const read = await store.readEvents(0, 10);
        expect(read).to.have.length(1);
        expect(read[0]!.event.roomId).to.equal(event.roomId);
      });

      it('treats the second of two identical ids in the same turn as the duplicate', async function () {
        const event = makeEvent();
        const other = makeEvent();
        const [a, b, c] = await Promise.all([store.append(event), store.append(other), store.append({ ...event })]);
        expect(a!.duplicate).to.equal(false);
        expect(b!.duplicate).to.equal(false);
        expect(c).to.deep.equal({ seq: a!.seq, duplicate: true });
        expect(await store.readEvents(0, 10)).to.have.length(2);
      });

      it('counts appends waiting for their commit, and their bytes, in pendingWrites() and pendingWriteBytes()', async function () {
        expect(store.pendingWrites()).to.equal(0);
        expect(store.pendingWriteBytes()).to.equal(0);
        const events = Array.from({ length: 10 }, () => makeEvent());
        const pending = events.map((e) => store.append(e));
        expect(store.pendingWrites()).to.equal(10);
        // about the raw and body text they hold
        expect(store.pendingWriteBytes()).to.be.at.least(events.reduce((n, e) => n + e.raw.length + JSON.stringify(e.body).length, 0));
        await Promise.all(pending);
        expect(store.pendingWrites()).to.equal(0);
        expect(store.pendingWriteBytes()).to.equal(0);
      });

      it('refuses an event that cannot be stored on its own, without failing the others in its batch', async function () {
        const good = makeEvent();
        const noId = { ...makeEvent(), id: '' };
        const notJson = makeEvent({ body: { CallbackCommand: 'X', big: 10n } as unknown as CallbackEvent['body'] });
        const outcomes = await Promise.allSettled([store.append(noId), store.append(good), store.append(notJson)]);
        expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'fulfilled', 'rejected']);
        const reasons = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason);
        expect(reasons[0].code).to.equal('STORE_FAILED');
        expect(reasons[0].message).to.contain('id');
        expect(reasons[1].message).to.contain('body');
        expect((await store.readEvents(0, 10)).map((r) => r.event.id)).to.deep.equal([good.id]);
      });

      it('reads the log in pages after a seq, and answers null and 0 for what is not there', async function () {
        expect(await store.latestSeq()).to.equal(0);
        expect(await store.getEvent(1)).to.equal(null);
        expect(await store.readEvents(0, 10)).to.deep.equal([]);
        const seqs = await appendAll(Array.from({ length: 7 }, () => makeEvent()));
        expect((await store.readEvents(0, 3)).map((r) => r.seq)).to.deep.equal(seqs.slice(0, 3));
        expect((await store.readEvents(seqs[2]!, 3)).map((r) => r.seq)).to.deep.equal(seqs.slice(3, 6));
        expect((await store.readEvents(seqs[5]!, 3)).map((r) => r.seq)).to.deep.equal(seqs.slice(6));
        expect(await store.readEvents(seqs[6]!, 3)).to.deep.equal([]);
        expect(await store.getEvent(seqs[6]! + 1)).to.equal(null);
      });
    });

    describe('cursors', function () {
      it('has no cursor for a plugin until one is set, then the latest value, per plugin', async function () {
        expect(await store.getCursor('logging')).to.equal(null);
        await store.setCursor('logging', 5);
        await store.setCursor('email-alert', 2);
        await store.setCursor('logging', 9);
        expect(await store.getCursor('logging')).to.equal(9);
        expect(await store.getCursor('email-alert')).to.equal(2);
        expect(await store.getCursor('stats-rollup')).to.equal(null);
      });
    });

    describe('failed deliveries', function () {
      let seqs: number[];
      let events: CallbackEvent[];

      beforeEach(async function () {
        events = [makeEvent(), makeEvent(), makeEvent()];
        seqs = await appendAll(events);
      });

      it('keeps a retrying failure and hands it back, with its event, once it is due', async function () {
        await store.recordFailure({ plugin: 'email-alert', eventSeq: seqs[1]!, attempts: 1, nextAttemptAt: 5000, error: 'SMTP 421' });
        expect(await store.dueRetries('email-alert', 4999, 10)).to.deep.equal([]);
        const due = await store.dueRetries('email-alert', 5000, 10);
        expect(due).to.have.length(1);
        expect(due[0]!.event).to.deep.equal({ seq: seqs[1], event: events[1] });
        const { updatedAt, ...delivery } = due[0]!.delivery;
        expect(delivery).to.deep.equal({
          plugin: 'email-alert',
          eventSeq: seqs[1],
          eventId: events[1]!.id,
          status: 'retrying',
          attempts: 1,
          nextAttemptAt: 5000,
          lastError: 'SMTP 421',
        });
        expect(updatedAt).to.be.a('number');
        expect(await store.dueRetries('logging', 5000, 10)).to.deep.equal([]);
      });

      it('hands back due retries earliest first, at most `limit`', async function () {
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[0]!, attempts: 1, nextAttemptAt: 300, error: 'e' });
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[1]!, attempts: 1, nextAttemptAt: 100, error: 'e' });
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[2]!, attempts: 1, nextAttemptAt: 200, error: 'e' });
        const due = await store.dueRetries('p', 1000, 2);
        expect(due.map((d) => d.delivery.eventSeq)).to.deep.equal([seqs[1], seqs[2]]);
      });

      it('updates the same row on a later failure, and marks it dead when there is no next attempt', async function () {
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[0]!, attempts: 1, nextAttemptAt: 100, error: 'first' });
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[0]!, attempts: 2, nextAttemptAt: 300, error: 'second' });
        let rows = await store.listDeliveries();
        expect(rows.map((r) => [r.status, r.attempts, r.nextAttemptAt, r.lastError])).to.deep.equal([['retrying', 2, 300, 'second']]);
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[0]!, attempts: 3, nextAttemptAt: null, error: 'third' });
        rows = await store.listDeliveries();
        expect(rows.map((r) => [r.status, r.attempts, r.nextAttemptAt, r.lastError])).to.deep.equal([['dead', 3, null, 'third']]);
        expect(await store.dueRetries('p', Number.MAX_SAFE_INTEGER, 10)).to.deep.equal([]);
      });

      it('drops the row when a retried delivery succeeds', async function () {
        await store.recordFailure({ plugin: 'p', eventSeq: seqs[0]!, attempts: 1, nextAttemptAt: 100, error: 'e' });
        await store.markDelivered('p', seqs[0]!);
        await store.markDelivered('p', seqs[1]!); // never failed: nothing to drop, no error
        expect(await store.listDeliveries()).to.deep.equal([]);
      });

      it('filters the list by plugin and status, and counts per plugin and status', async function () {
        await store.recordFailure({ plugin: 'a', eventSeq: seqs[0]!, attempts: 5, nextAttemptAt: null, error: 'dead a0' });
        await store.recordFailure({ plugin: 'a', eventSeq: seqs[1]!, attempts: 1, nextAttemptAt: 10, error: 'retry a1' });
        await store.recordFailure({ plugin: 'b', eventSeq: seqs[0]!, attempts: 5, nextAttemptAt: null, error: 'dead b0' });
        await store.recordFailure({ plugin: 'b', eventSeq: seqs[2]!, attempts: 5, nextAttemptAt: null, error: 'dead b2' });
        const errors = (list: Array<{ lastError: string }>) => list.map((d) => d.lastError).sort();
        expect(errors(await store.listDeliveries())).to.deep.equal(['dead a0', 'dead b0', 'dead b2', 'retry a1']);
        expect(errors(await store.listDeliveries({ plugin: 'a' }))).to.deep.equal(['dead a0', 'retry a1']);
        expect(errors(await store.listDeliveries({ status: 'dead' }))).to.deep.equal(['dead a0', 'dead b0', 'dead b2']);
        expect(errors(await store.listDeliveries({ plugin: 'b', status: 'retrying' }))).to.deep.equal([]);
        const counts = await store.countDeliveries();
        const sorted = [...counts].sort((x, y) => `${x.plugin}${x.status}`.localeCompare(`${y.plugin}${y.status}`));
        expect(sorted).to.deep.equal([
          { plugin: 'a', status: 'dead', count: 1 },
          { plugin: 'a', status: 'retrying', count: 1 },
          { plugin: 'b', status: 'dead', count: 2 },
        ]);
      });

      it('requeues dead deliveries, one plugin or all, with attempts reset and due now', async function () {
        await store.recordFailure({ plugin: 'a', eventSeq: seqs[0]!, attempts: 5, nextAttemptAt: null, error: 'x' });
        await store.recordFailure({ plugin: 'b', eventSeq: seqs[0]!, attempts: 5, nextAttemptAt: null, error: 'y' });
        await store.recordFailure({ plugin: 'b', eventSeq: seqs[1]!, attempts: 5, nextAttemptAt: null, error: 'z' });
        await store.recordFailure({ plugin: 'b', eventSeq: seqs[2]!, attempts: 2, nextAttemptAt: 9_000, error: 'w' });

        expect(await store.requeueDead('a', 1234)).to.equal(1);
        const a = await store.listDeliveries({ plugin: 'a' });
        expect(a.map((d) => [d.status, d.attempts, d.nextAttemptAt])).to.deep.equal([['retrying', 0, 1234]]);
        expect((await store.listDeliveries({ plugin: 'b', status: 'dead' })).length).to.equal(2);

        expect(await store.requeueDead(undefined, 2000)).to.equal(2);
        expect(await store.listDeliveries({ status: 'dead' })).to.deep.equal([]);
        const due = await store.dueRetries('b', 2000, 10);
        expect(due.map((d) => d.delivery.eventSeq)).to.deep.equal([seqs[0], seqs[1]]);
        expect(await store.requeueDead(undefined, 3000)).to.equal(0);
      });

      it('refuses to record a failure for an event that is not in the log', async function () {
        const err = await expectRejection(
          store.recordFailure({ plugin: 'p', eventSeq: seqs[2]! + 100, attempts: 1, nextAttemptAt: 1, error: 'e' }),
          'STORE_FAILED',
        );
        expect(err.message).to.contain('p').and.contain(String(seqs[2]! + 100));
      });
    });

    describe('quarantine', function () {
      const input = {
        receivedAt: 1000,
        sdkAppId: '1400000001',
        command: 'Live.CallbackAfterDestroyRoom',
        raw: '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":12}',
        query: { SdkAppid: '1400000001' },
        reason: 'RoomId must be a string',
      };

      it('keeps what it is given as held, lists by status, and records the outcome with a note', async function () {
        const id1 = await store.quarantine(input);
        const id2 = await store.quarantine({ ...input, sdkAppId: null, command: null, raw: 'not json', reason: 'bad JSON' });
        expect(id2).to.be.greaterThan(id1);
        expect(await store.listQuarantine()).to.deep.equal([
          { ...input, id: id1, status: 'held', note: null },
          { ...input, sdkAppId: null, command: null, raw: 'not json', reason: 'bad JSON', id: id2, status: 'held', note: null },
        ]);
        await store.setQuarantineStatus(id1, 'replayed', 'accepted after schema fix');
        expect((await store.listQuarantine('held')).map((q) => q.id)).to.deep.equal([id2]);
        const replayed = await store.listQuarantine('replayed');
        expect(replayed.map((q) => [q.id, q.note])).to.deep.equal([[id1, 'accepted after schema fix']]);
        expect(await store.listQuarantine('rejected')).to.deep.equal([]);
      });

      it('finds one entry by its id, and null for an id it does not hold', async function () {
        const id = await store.quarantine(input);
        expect(await store.findQuarantine(id)).to.deep.equal({ ...input, id, status: 'held', note: null });
        expect(await store.findQuarantine(id + 4242)).to.equal(null);
      });

      it('refuses a status change for an id that does not exist', async function () {
        await expectRejection(store.setQuarantineStatus(4242, 'rejected', null), 'NOT_FOUND');
      });
    });

    describe('leases', function () {
      it('is taken when free, refused to others while held, renewed by its owner, and free again after release', async function () {
        expect(await store.acquireLease('rollup', 'a', 60_000)).to.equal(true);
        expect(await store.acquireLease('rollup', 'b', 60_000)).to.equal(false);
        expect(await store.acquireLease('rollup', 'a', 60_000)).to.equal(true);
        expect(await store.acquireLease('other', 'b', 60_000)).to.equal(true);
        await store.releaseLease('rollup', 'b'); // not b's: no effect
        expect(await store.acquireLease('rollup', 'b', 60_000)).to.equal(false);
        await store.releaseLease('rollup', 'a');
        expect(await store.acquireLease('rollup', 'b', 60_000)).to.equal(true);
      });

      it('can be taken by another owner once it has expired, and renewal extends it', async function () {
        expect(await store.acquireLease('job', 'a', 200)).to.equal(true);
        await sleep(120);
        expect(await store.acquireLease('job', 'a', 200)).to.equal(true); // renewed: held for 200 ms from now
        await sleep(120);
        expect(await store.acquireLease('job', 'b', 200)).to.equal(false);
        await sleep(120);
        expect(await store.acquireLease('job', 'b', 200)).to.equal(true);
        expect(await store.acquireLease('job', 'a', 200)).to.equal(false);
      });
    });

    describe('plugin records', function () {
      it('puts (true when new), replaces, gets and deletes records', async function () {
        const r = store.records('stats-rollup');
        expect(await r.put('rooms', 'r1', 100, { viewers: 3, owner: '144115212345678901' })).to.equal(true);
        expect(await r.get('rooms', 'r1')).to.deep.equal({ key: 'r1', at: 100, value: { viewers: 3, owner: '144115212345678901' } });
        expect(await r.put('rooms', 'r1', 200, { viewers: 4 })).to.equal(false);
        expect(await r.get('rooms', 'r1')).to.deep.equal({ key: 'r1', at: 200, value: { viewers: 4 } });
        expect(await r.get('rooms', 'nope')).to.equal(null);
        expect(await r.delete('rooms', 'r1')).to.equal(true);
        expect(await r.delete('rooms', 'r1')).to.equal(false);
        expect(await r.get('rooms', 'r1')).to.equal(null);
      });

      it('keeps plugins and collections apart', async function () {
        await store.records('a').put('c', 'k', 1, 'a/c');
        await store.records('a').put('d', 'k', 1, 'a/d');
        await store.records('b').put('c', 'k', 1, 'b/c');
        expect((await store.records('a').get('c', 'k'))!.value).to.equal('a/c');
        expect((await store.records('a').get('d', 'k'))!.value).to.equal('a/d');
        expect((await store.records('b').get('c', 'k'))!.value).to.equal('b/c');
        expect(await store.records('b').get('d', 'k')).to.equal(null);
        expect(await store.records('b').delete('d', 'k')).to.equal(false);
        const scanned: unknown[] = [];
        for await (const rec of store.records('b').scan('c', 0, 10)) scanned.push(rec.value);
        expect(scanned).to.deep.equal(['b/c']);
      });

      it('scans from <= at < to in at order, across pages and ties, each record once', async function () {
        const r = store.records('p');
        const written: Array<{ key: string; at: number }> = [];
        // 61 records on 5 distinct times: every page boundary falls inside a run of equal `at`.
        for (let i = 0; i < 61; i++) {
          const rec = { key: `k${String((i * 37) % 61).padStart(2, '0')}`, at: 1000 + (i % 5) * 10 };
          written.push(rec);
          await r.put('c', rec.key, rec.at, { i });
        }
        await r.put('other', 'x', 1000, 'not in c');
        const seen: Array<{ key: string; at: number }> = [];
        for await (const rec of r.scan('c', 1010, 1040)) seen.push({ key: rec.key, at: rec.at });
        const expected = written.filter((w) => w.at >= 1010 && w.at < 1040);
        expect(seen).to.have.length(expected.length);
        for (let i = 1; i < seen.length; i++) expect(seen[i]!.at).to.be.at.least(seen[i - 1]!.at);
        const byKey = (x: { key: string }, y: { key: string }) => x.key.localeCompare(y.key);
        expect([...seen].sort(byKey)).to.deep.equal([...expected].sort(byKey));
        let none = 0;
        for await (const _ of r.scan('c', 2000, 3000)) none += 1;
        expect(none).to.equal(0);
      });

      it('deletes the records before a time, across chunks, and only those of that plugin and collection', async function () {
        const r = store.records('p');
        // 23 records at 10 times: with a small page size the delete runs in several chunks.
        for (let i = 0; i < 23; i++) await r.put('c', `k${i}`, 1000 + (i % 10) * 10, { i });
        await r.put('other', 'old', 1000, 'another collection');
        await store.records('q').put('c', 'old', 1000, 'another plugin');
        const before = 1050; // times 1000..1040 go: i % 10 < 5
        const expected = [...Array(23).keys()].filter((i) => i % 10 < 5).length;
        expect(await r.deleteBefore('c', before)).to.equal(expected);
        const left: number[] = [];
        for await (const rec of r.scan<{ i: number }>('c', 0, 10_000)) left.push(rec.value.i);
        expect(left.sort((x, y) => x - y)).to.deep.equal([...Array(23).keys()].filter((i) => i % 10 >= 5));
        expect((await r.get('other', 'old'))!.value).to.equal('another collection');
        expect((await store.records('q').get('c', 'old'))!.value).to.equal('another plugin');
        expect(await r.deleteBefore('c', before)).to.equal(0);
        // Exactly one chunk's worth (the page size is 7 here): the last chunk finds none.
        for (let i = 0; i < 7; i++) await r.put('d', `k${i}`, 100 + i, i);
        expect(await r.deleteBefore('d', 1000)).to.equal(7);
        await expectRejection(r.deleteBefore('c', 1.5), 'PERMANENT_FAILURE');
      });

      it('refuses a time that is not whole milliseconds or a value that is not JSON, as a permanent plugin error', async function () {
        const r = store.records('p');
        const err = await expectRejection(r.put('c', 'k', 1.5, {}), 'PERMANENT_FAILURE');
        expect(err.message).to.contain('p').and.contain('"c"').and.contain('at');
        await expectRejection(r.put('c', 'k', 1, undefined), 'PERMANENT_FAILURE');
        await expectRejection(r.put('c', 'k', 1, { n: 1n }), 'PERMANENT_FAILURE');
        expect(await r.get('c', 'k')).to.equal(null);
        // A value past 16 MiB of JSON: the writer the callbacks share would be held for seconds.
        const big = await expectRejection(r.put('c', 'big', 1, 'x'.repeat(16 * 1024 * 1024)), 'PERMANENT_FAILURE');
        expect(big.message).to.contain('the value is 16777218 bytes of JSON, more than a record holds (16777216, 16 MiB): split it over several records');
        expect(await r.put('c', 'big', 1, 'x'.repeat(16 * 1024 * 1024 - 2))).to.equal(true);
        // Names are index entries: a long key is refused as permanent on both engines alike
        // (PostgreSQL refused a 3,000-byte key of random letters as an index row too large).
        const letters = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(65 + ((i * 7919) % 58))).join('');
        const longKey = await expectRejection(r.put('c', letters(1001), 1, {}), 'PERMANENT_FAILURE');
        expect(longKey.message).to.contain('a key is at most 1000 bytes (got 1001): keep the data in the value, or use a hash of it as the key');
        expect((await expectRejection(r.put('c'.repeat(201), 'k', 1, {}), 'PERMANENT_FAILURE')).message).to.contain('a collection name is at most 200 bytes (got 201)');
        await expectRejection(r.claim('c', 'k', 1, 'o'.repeat(1001), 1000), 'PERMANENT_FAILURE');
        expect(await r.put('c'.repeat(200), letters(1000), 1, {})).to.equal(true);
      });

      it('adds to counters from 0, all or none: past any max, nothing changes and the values are told as they stand', async function () {
        const r = store.records('p');
        expect(await r.add([{ collection: 'coins', key: 'alice', at: 5, by: 300, max: 1000 }])).to.deep.equal({ applied: true, values: [300] });
        expect(await r.add([{ collection: 'coins', key: 'alice', at: 5, by: 600, max: 1000 }, { collection: 'gifts', key: 'alice', at: 5, by: 1, max: 2 }])).to.deep.equal({ applied: true, values: [900, 1] });
        // 1,100 coins would pass the cap: the gift counter does not move either.
        expect(await r.add([{ collection: 'coins', key: 'alice', at: 5, by: 200, max: 1000 }, { collection: 'gifts', key: 'alice', at: 5, by: 1, max: 2 }])).to.deep.equal({ applied: false, values: [900, 1] });
        expect((await r.get('gifts', 'alice'))!.value).to.equal(1);
        expect(await r.add([{ collection: 'coins', key: 'alice', at: 5, by: -900 }])).to.deep.equal({ applied: true, values: [0] });
        await expectRejection(r.add([]), 'PERMANENT_FAILURE');
        await expectRejection(r.add([{ collection: 'c', key: 'k', at: 1, by: Number.NaN }]), 'PERMANENT_FAILURE');
      });

      it('never lets concurrent adds pass a max: exactly as many as fit are applied', async function () {
        const r = store.records('p');
        const outcomes = await Promise.all(Array.from({ length: 40 }, () => r.add([{ collection: 'cap', key: 'k', at: 1, by: 3, max: 50 }])));
        expect(outcomes.filter((o) => o.applied)).to.have.length(16);
        expect((await r.get('cap', 'k'))!.value).to.equal(48);
      });

      it('claims a free key, refuses it while held (to its owner too), and records who holds it until when', async function () {
        const r = store.records('p');
        const before = Date.now();
        expect(await r.claim('jobs', 'daily', 7, 'a', 60_000)).to.equal(true);
        expect(await r.claim('jobs', 'daily', 7, 'b', 60_000)).to.equal(false);
        expect(await r.claim('jobs', 'daily', 7, 'a', 60_000)).to.equal(false);
        const held = await r.get<ClaimValue>('jobs', 'daily');
        expect(held!.at).to.equal(7);
        expect(held!.value.owner).to.equal('a');
        // The database's clock decides on PostgreSQL: allow for a small skew against ours.
        expect(held!.value.claimedAt).to.be.within(before - 5_000, Date.now() + 5_000);
        expect(held!.value.expiresAt! - held!.value.claimedAt).to.equal(60_000);
        // Claims are per plugin and collection, and a record written by put is held for good.
        expect(await store.records('q').claim('jobs', 'daily', 7, 'b', 60_000)).to.equal(true);
        await r.put('jobs', 'plain', 1, { owner: 'old' });
        expect(await r.claim('jobs', 'plain', 1, 'b', 1)).to.equal(false);
      });

      it('gives a claim back only for its owner, and a released claim is free again', async function () {
        const r = store.records('p');
        expect(await r.claim('jobs', 'k', 1, 'a', Infinity)).to.equal(true);
        expect(await r.release('jobs', 'k', 'b')).to.equal(false);
        expect(await r.claim('jobs', 'k', 1, 'b', Infinity)).to.equal(false);
        expect(await r.release('jobs', 'k', 'a')).to.equal(true);
        expect(await r.get('jobs', 'k')).to.equal(null);
        expect(await r.claim('jobs', 'k', 1, 'b', Infinity)).to.equal(true);
        expect((await r.get<ClaimValue>('jobs', 'k'))!.value).to.include({ owner: 'b', expiresAt: null });
      });

      it('lets another owner take a claim over once it has expired, and never one with ttl Infinity', async function () {
        const r = store.records('p');
        expect(await r.claim('jobs', 'short', 1, 'a', 150)).to.equal(true);
        expect(await r.claim('jobs', 'forever', 1, 'a', Infinity)).to.equal(true);
        expect(await r.claim('jobs', 'short', 2, 'b', 150)).to.equal(false);
        await sleep(200);
        expect(await r.claim('jobs', 'short', 2, 'b', 150)).to.equal(true);
        expect(await r.claim('jobs', 'forever', 2, 'b', 150)).to.equal(false);
        const taken = await r.get<ClaimValue>('jobs', 'short');
        expect(taken).to.deep.include({ at: 2 });
        expect(taken!.value.owner).to.equal('b');
        expect(await r.release('jobs', 'short', 'a')).to.equal(false); // no longer a's to give back
      });

      it('has exactly one winner among concurrent claims, of a free key and of an expired one', async function () {
        const r = store.records('p');
        // A long ttl inside each race: on a loaded machine the twelve claims
        // can be spread over more than a short one, and a late claimant then
        // rightly takes over a claim that has run out.
        const race = () => Promise.all(Array.from({ length: 12 }, (_, i) => r.claim('jobs', 'race', 1, `owner-${i}`, 60_000)));
        const first = await race();
        expect(first.filter(Boolean)).to.have.length(1);
        expect(await r.release('jobs', 'race', `owner-${first.indexOf(true)}`)).to.equal(true);
        expect(await r.claim('jobs', 'race', 1, 'short-lived', 1)).to.equal(true);
        await sleep(20);
        const second = await race();
        expect(second.filter(Boolean)).to.have.length(1);
        expect((await r.get<ClaimValue>('jobs', 'race'))!.value.owner).to.equal(`owner-${second.indexOf(true)}`);
      });

      it('renews a claim only for its owner: it then outlives its first ttl, and one that ran out and was taken is not renewed', async function () {
        const r = store.records('p');
        expect(await r.claim('jobs', 'long-task', 1, 'a', 150)).to.equal(true);
        expect(await r.renew('jobs', 'long-task', 'b', 10_000)).to.equal(false);
        expect(await r.renew('jobs', 'long-task', 'a', 10_000)).to.equal(true);
        await sleep(200); // past the first ttl: still a's
        expect(await r.claim('jobs', 'long-task', 2, 'b', 150)).to.equal(false);
        const held = (await r.get<ClaimValue>('jobs', 'long-task'))!.value;
        expect(held.owner).to.equal('a');
        expect(held.expiresAt! - held.claimedAt).to.be.at.least(10_000);

        expect(await r.claim('jobs', 'lapsed', 1, 'a', 1)).to.equal(true);
        await sleep(20);
        expect(await r.claim('jobs', 'lapsed', 2, 'b', 10_000)).to.equal(true);
        expect(await r.renew('jobs', 'lapsed', 'a', 10_000)).to.equal(false);
        expect((await r.get<ClaimValue>('jobs', 'lapsed'))!.value.owner).to.equal('b');
        expect(await r.renew('jobs', 'never-claimed', 'a', 10_000)).to.equal(false);
        await expectRejection(r.renew('jobs', 'long-task', 'a', Infinity), 'PERMANENT_FAILURE');
      });

      it('refuses a claim without an owner, a ttl or a whole-ms time, as a permanent plugin error', async function () {
        const r = store.records('p');
        await expectRejection(r.claim('jobs', 'k', 1, '', 1000), 'PERMANENT_FAILURE');
        await expectRejection(r.claim('jobs', 'k', 1, 'a', 0), 'PERMANENT_FAILURE');
        await expectRejection(r.claim('jobs', 'k', 1, 'a', Number.NaN), 'PERMANENT_FAILURE');
        const err = await expectRejection(r.claim('jobs', 'k', 1.5, 'a', 1000), 'PERMANENT_FAILURE');
        expect(err.message).to.contain('"jobs"').and.contain('at');
        expect(await r.get('jobs', 'k')).to.equal(null);
      });
    });

    describe('prune', function () {
      /** Events received at 100, 200, ... */
      async function appendAt(times: number[]): Promise<number[]> {
        return appendAll(times.map((receivedAt) => makeEvent({ receivedAt })));
      }

      it('deletes old events every listed plugin has passed, and keeps newer or unfinished ones', async function () {
        const seqs = await appendAt([100, 200, 300, 400, 500, 600]);
        await store.setCursor('a', seqs[3]!);
        await store.setCursor('b', seqs[5]!);
        const result = await store.prune(550, ['a', 'b']);
        expect(result).to.deep.equal({ events: 4, deliveries: 0, quarantine: 0 });
        expect((await store.readEvents(0, 10)).map((r) => r.seq)).to.deep.equal([seqs[4], seqs[5]]);
      });

      it('keeps an event while one of its deliveries is retrying, and deletes dead deliveries with their event', async function () {
        const seqs = await appendAt([100, 200, 300]);
        await store.setCursor('a', seqs[2]!);
        await store.setCursor('b', seqs[2]!);
        await store.recordFailure({ plugin: 'a', eventSeq: seqs[0]!, attempts: 1, nextAttemptAt: 10_000, error: 'retrying' });
        await store.recordFailure({ plugin: 'b', eventSeq: seqs[0]!, attempts: 5, nextAttemptAt: null, error: 'dead, kept with its event' });
        await store.recordFailure({ plugin: 'a', eventSeq: seqs[1]!, attempts: 5, nextAttemptAt: null, error: 'dead, goes' });
        const result = await store.prune(1000, ['a', 'b']);
        expect(result).to.deep.equal({ events: 2, deliveries: 1, quarantine: 0 });
        expect((await store.readEvents(0, 10)).map((r) => r.seq)).to.deep.equal([seqs[0]]);
        expect((await store.listDeliveries()).map((d) => d.lastError).sort()).to.deep.equal(['dead, kept with its event', 'retrying']);

        await store.markDelivered('a', seqs[0]!);
        expect(await store.prune(1000, ['a', 'b'])).to.deep.equal({ events: 1, deliveries: 1, quarantine: 0 });
        expect(await store.readEvents(0, 10)).to.deep.equal([]);
      });

      it('is not held back by a listed plugin without a cursor, nor by the cursor of a plugin not listed', async function () {
        const seqs = await appendAt([100, 200, 300]);
        await store.setCursor('a', seqs[1]!);
        await store.setCursor('disabled', 0);
        expect(await store.prune(1000, ['a', 'new-plugin'])).to.deep.equal({ events: 2, deliveries: 0, quarantine: 0 });
        expect((await store.readEvents(0, 10)).map((r) => r.seq)).to.deep.equal([seqs[2]]);
        expect(await store.prune(1000, [])).to.deep.equal({ events: 1, deliveries: 0, quarantine: 0 });
      });

      it('deletes old quarantine entries that are no longer held', async function () {
        const base = { sdkAppId: null, command: null, raw: 'x', query: {}, reason: 'bad' };
        const oldHeld = await store.quarantine({ ...base, receivedAt: 100 });
        const oldReplayed = await store.quarantine({ ...base, receivedAt: 100 });
        const oldRejected = await store.quarantine({ ...base, receivedAt: 100 });
        const newRejected = await store.quarantine({ ...base, receivedAt: 900 });
        await store.setQuarantineStatus(oldReplayed, 'replayed', null);
        await store.setQuarantineStatus(oldRejected, 'rejected', null);
        await store.setQuarantineStatus(newRejected, 'rejected', null);
        expect(await store.prune(500, [])).to.deep.equal({ events: 0, deliveries: 0, quarantine: 2 });
        expect((await store.listQuarantine()).map((q) => q.id)).to.deep.equal([oldHeld, newRejected]);
      });

      it('never reuses a seq, even after the newest events were pruned', async function () {
        const seqs = await appendAt([100, 200]);
        await store.prune(1000, []);
        expect(await store.readEvents(0, 10)).to.deep.equal([]);
        const { seq } = await store.append(makeEvent({ receivedAt: 300 }));
        expect(seq).to.be.greaterThan(seqs[1]!);
      });

      it('prunes thousands of events received in the same millisecond', async function () {
        this.timeout(60_000);
        const events = Array.from({ length: 2500 }, () => makeEvent({ receivedAt: 100 }));
        await Promise.all(events.map((e) => store.append(e)));
        const keep = await store.append(makeEvent({ receivedAt: 100 }));
        await store.setCursor('a', keep.seq - 1);
        expect(await store.prune(101, ['a'])).to.deep.equal({ events: 2500, deliveries: 0, quarantine: 0 });
        expect((await store.readEvents(0, 10)).map((r) => r.seq)).to.deep.equal([keep.seq]);
      });
    });
  });
}
