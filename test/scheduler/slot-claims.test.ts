/**
 * SlotClaims on both engines, each with two connections to one database as
 * two instances would have: one winner per key, and the stored owner is the
 * winner's whatever the losers do (sequentially or racing); a slot whose
 * holder stops renewing before it is done goes to the next instance, a slot
 * marked done to nobody.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { SlotClaims } from '../../src/scheduler/slot-claims';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { createTestSchema } from '../helpers/pg-schema';
import { tempDir, waitFor } from '../helpers/service';

/** How long a slot's claim holds without renewal, in the tests that do not let one run out. */
const HOLD_MS = 60_000;

interface Engine {
  name: string;
  /** Two stores on one database, and a cleanup. */
  open(): Promise<{ stores: [Store, Store]; cleanup(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const dir = tempDir('livehook-claims-');
      const stores: [Store, Store] = [await openStore({ dataDir: dir }), await openStore({ dataDir: dir })];
      return {
        stores,
        cleanup: async () => {
          for (const s of stores) await s.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createTestSchema();
      const stores: [Store, Store] = [await openStore({ dataDir: '/nonexistent', databaseUrl: db.url }), await openStore({ dataDir: '/nonexistent', databaseUrl: db.url })];
      return {
        stores,
        cleanup: async () => {
          for (const s of stores) await s.close();
          await db.drop();
        },
      };
    },
  },
];

for (const engine of engines) {
  describe(`SlotClaims (${engine.name}, two connections)`, function () {
    this.timeout(20_000);
    let stores: [Store, Store];
    let cleanup: () => Promise<void>;
    /** Instance i's claims: even owners on the first connection, odd ones on the second. */
    const claims = (i: number, namespace = 'stats-rollup') => new SlotClaims(stores[i % 2]!, namespace, `instance-${i}`);

    beforeEach(async () => {
      ({ stores, cleanup } = await engine.open());
    });
    afterEach(() => cleanup());

    it('keeps the winner as the owner of a slot when a later instance loses it', async () => {
      const slot = new Date('2025-09-05T00:05:00Z');
      expect(await claims(0).claimSlot('daily-report', slot, HOLD_MS)).to.equal('won');
      expect(await claims(1).claimSlot('daily-report', slot, HOLD_MS)).to.equal('held');
      expect(await claims(2).claimSlot('daily-report', slot, HOLD_MS)).to.equal('held');
      expect(await claims(3).slotOwner('daily-report', slot)).to.include({ owner: 'instance-0' });
      // Another slot, another job, another plugin: claims of their own.
      expect(await claims(1).claimSlot('daily-report', new Date('2025-09-06T00:05:00Z'), HOLD_MS)).to.equal('won');
      expect(await claims(1).claimSlot('other-job', slot, HOLD_MS)).to.equal('won');
      expect(await claims(1, 'email-alert').claimSlot('daily-report', slot, HOLD_MS)).to.equal('won');
      expect(await claims(3).slotOwner('daily-report', slot)).to.include({ owner: 'instance-0' });
    });

    it('has one winner among instances racing for a slot, and the stored owner is that winner', async () => {
      for (let round = 0; round < 5; round++) {
        const slot = new Date(Date.UTC(2025, 8, 5, 0, 5, round));
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claims(i).claimSlot('daily-report', slot, HOLD_MS)));
        const winners = results.flatMap((claim, i) => (claim === 'won' ? [`instance-${i}`] : []));
        expect(winners, `round ${round}`).to.have.length(1);
        expect((await claims(0).slotOwner('daily-report', slot))?.owner, `round ${round}`).to.equal(winners[0]);
      }
    });

    it('gives a slot whose holder stopped renewing before it was done to the instance that looks again', async () => {
      const slot = new Date('2025-09-05T00:05:00Z');
      expect(await claims(0).claimSlot('daily-report', slot, 2000)).to.equal('won');
      // Renewed as the run goes: still held past the first hold.
      await new Promise((r) => setTimeout(r, 1200));
      expect(await claims(0).renewSlot('daily-report', slot, 2000)).to.equal(true);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await claims(1).takeOver('daily-report', slot, HOLD_MS)).to.equal('held');
      // Then the holder dies: no renewal, and the claim runs out.
      await waitFor(async () => (await claims(1).takeOver('daily-report', slot, HOLD_MS)) === 'won', 8000, 'the dead holder\'s claim to run out');
      expect(await claims(2).slotOwner('daily-report', slot)).to.include({ owner: 'instance-1' });
      expect(await claims(0).renewSlot('daily-report', slot, 2000), 'the old holder, back').to.equal(false);
      expect(await claims(2).takeOver('daily-report', slot, HOLD_MS)).to.equal('held');
    });

    it('never runs a slot marked done again, however long after its claim ran out, and takes a released one at once', async () => {
      const slot = new Date('2025-09-05T00:05:00Z');
      expect(await claims(0).claimSlot('daily-report', slot, 300)).to.equal('won');
      await claims(0).slotDone('daily-report', slot);
      await new Promise((r) => setTimeout(r, 500));
      // An instance whose clock is late fires the slot now: its claim would win, the mark says no.
      expect(await claims(1).claimSlot('daily-report', slot, HOLD_MS)).to.equal('done');
      expect(await claims(2).takeOver('daily-report', slot, HOLD_MS)).to.equal('done');

      // Given back unfinished at a stop: the next look takes it without waiting for the hold to pass.
      const other = new Date('2025-09-06T00:05:00Z');
      expect(await claims(0).claimSlot('daily-report', other, HOLD_MS)).to.equal('won');
      await claims(0).releaseSlot('daily-report', other);
      expect(await claims(1).takeOver('daily-report', other, HOLD_MS)).to.equal('won');
    });

    it('keeps the owner of a once key, and gives the key to the next claimant once released', async () => {
      expect(await claims(0).claimOnce('mail:2025-09-04')).to.equal(true);
      const racing = await Promise.all([1, 2, 3].map((i) => claims(i).claimOnce('mail:2025-09-04')));
      expect(racing).to.deep.equal([false, false, false]);
      expect(await claims(1).onceOwner('mail:2025-09-04')).to.include({ owner: 'instance-0' });

      await claims(0).releaseOnce('mail:2025-09-04');
      expect(await claims(1).onceOwner('mail:2025-09-04')).to.equal(null);
      expect(await claims(1).claimOnce('mail:2025-09-04')).to.equal(true);
      expect(await claims(2).claimOnce('mail:2025-09-04')).to.equal(false);
      expect(await claims(0).onceOwner('mail:2025-09-04')).to.include({ owner: 'instance-1' });
    });

    it('still honours a claim written before owners were kept apart', async () => {
      // What an older version wrote: the claim record itself holding { owner, claimedAt }.
      const slot = new Date('2025-09-05T00:05:00Z');
      await stores[0].records('scheduler/stats-rollup').put('cron-slots', `daily-report@${slot.toISOString()}`, slot.getTime(), { owner: 'old-instance', claimedAt: 1 });
      await stores[0].records('scheduler/stats-rollup').put('once', 'mail:2025-09-04', 1, { owner: 'old-instance', claimedAt: 1 });
      expect(await claims(1).claimSlot('daily-report', slot, HOLD_MS)).to.equal('held');
      expect(await claims(1).claimOnce('mail:2025-09-04')).to.equal(false);
      // and the losers left the old claims as they were
      expect((await stores[1].records('scheduler/stats-rollup').get('cron-slots', `daily-report@${slot.toISOString()}`))?.value).to.deep.equal({ owner: 'old-instance', claimedAt: 1 });
    });

    it('deletes slot claims and their owners older than a week, once a newer slot is won', async () => {
      const old = new Date(Date.now() - 8 * 86_400_000);
      const recent = new Date(Date.now() - 86_400_000);
      expect(await claims(0).claimSlot('daily-report', old, HOLD_MS)).to.equal('won');
      expect(await claims(0).claimSlot('daily-report', recent, HOLD_MS)).to.equal('won');
      expect(await claims(1).claimSlot('daily-report', new Date(), HOLD_MS)).to.equal('won');
      expect(await claims(1).slotOwner('daily-report', old)).to.equal(null);
      expect(await claims(1).slotOwner('daily-report', recent)).to.include({ owner: 'instance-0' });
      // The old slot's claim went too: it can be claimed again (no instance fires a slot a week late).
      expect(await claims(1).claimSlot('daily-report', old, HOLD_MS)).to.equal('won');
      expect(await claims(1).claimSlot('daily-report', recent, HOLD_MS)).to.equal('held');
    });
  });
}
