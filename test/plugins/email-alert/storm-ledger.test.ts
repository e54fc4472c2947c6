/**
 * The digest claim, on a real store: of callers asking at once (instances on
 * one database), exactly one may send a digest, also when taking over a
 * claim left by an instance that died mid-send.
 */
import { expect } from 'chai';
import { StormLedger } from '../../../plugins/email-alert/storm-ledger';
import { createLogger } from '../../../src/log/logger';
import { openStore } from '../../../src/store/open-store';
import type { Store } from '../../../src/store/store';
import { tempDir } from '../../helpers/service';

describe('email-alert StormLedger: the digest claim', () => {
  let store: Store;
  let ledger: StormLedger;
  const digest = { start: 1_000_000, end: 1_060_000 };
  const claimTwice = () => Promise.all([ledger.claimDigest(digest), ledger.claimDigest(digest)]);

  beforeEach(async () => {
    store = await openStore({ dataDir: tempDir(), logger: createLogger('silent') });
    ledger = new StormLedger(store.records('email-alert'), { maxAlerts: 1, windowMs: 60_000 });
  });
  afterEach(() => store.close());

  it('goes to one of two callers, and to nobody else while it is held', async () => {
    expect((await claimTwice()).sort()).to.deep.equal([false, true]);
    expect(await ledger.claimDigest(digest)).to.equal(false);
    // Held for 15 minutes, well above a send's SMTP time-outs: then another instance may take it over.
    const held = await store.records('email-alert').get<{ claimedAt: number; expiresAt: number }>('sending', String(digest.start));
    expect(held!.value.expiresAt - held!.value.claimedAt).to.equal(15 * 60_000);
    await ledger.releaseDigest(digest);
    expect(await ledger.claimDigest(digest)).to.equal(true);
  });

  it('is taken over by exactly one caller once it is 15 minutes old (its holder died)', async () => {
    // What the claim of an instance that died 16 minutes ago looks like.
    const claimedAt = Date.now() - 16 * 60_000;
    await store.records('email-alert').put('sending', String(digest.start), 0, { owner: 'dead', claimedAt, expiresAt: claimedAt + 15 * 60_000 });
    expect((await claimTwice()).sort()).to.deep.equal([false, true]);
    expect(await ledger.claimDigest(digest)).to.equal(false);
  });

  it('is not taken over while younger than that', async () => {
    const claimedAt = Date.now() - 14 * 60_000;
    await store.records('email-alert').put('sending', String(digest.start), 0, { owner: 'busy', claimedAt, expiresAt: claimedAt + 15 * 60_000 });
    expect(await claimTwice()).to.deep.equal([false, false]);
  });
});
