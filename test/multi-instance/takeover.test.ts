/**
 * Two `livehook serve` processes on one PostgreSQL database; the one
 * delivering a slow plugin (it holds the plugin's lease) is killed with
 * SIGKILL mid-work. The other waits for the lease to time out, takes it,
 * and finishes every event the dead one had not.
 */
import path from 'node:path';
import { expect } from 'chai';
import { fixture, post, tempDir, waitFor } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { type Instance, startInstance, useCluster } from './instances';

const LEASE_MS = 3000;
const seed = fixture('destroy-room.seed-example.json');
const body = (room: string): string => seed.replace('"tandy-test-rest"', `"${room}"`);

describe('several instances on one PostgreSQL database: a killed instance\'s work', function () {
  this.timeout(90_000);
  const cluster = useCluster();
  const { instances, dirs } = cluster;

  it('is finished by the other instance once the lease times out', async function () {
    const pluginsDir = tempDir('livehook-plugins-');
    const outDir = tempDir('livehook-out-');
    dirs.push(pluginsDir, outDir);
    writePlugin(pluginsDir, 'slowpoke', 'index.ts', recorderTs('slowpoke', { behaviour: 'await new Promise((r) => setTimeout(r, this.options.sleepMs));' }));
    const out = (name: string) => path.join(outDir, `${name}.jsonl`);
    for (const name of ['a', 'b']) {
      instances.push(
        await startInstance({
          name,
          databaseUrl: cluster.db.url,
          config: { pluginsDir, config: { delivery: { leaseMs: LEASE_MS } }, plugins: { slowpoke: { enabled: true, capabilities: ['fs'], out: out(name), sleepMs: 40 } } },
        }),
      );
    }
    const [a, b] = instances as [Instance, Instance];

    // 20 callbacks over both instances: 0.8 s of work for whoever holds the plugin's lease.
    const rooms = Array.from({ length: 20 }, (_, i) => `takeover-${i}`);
    const answers = await Promise.all(rooms.map((room, i) => post(i % 2 ? a.url : b.url, body(room), { SdkAppid: '1400000001' })));
    expect(answers.map((r) => r.status)).to.deep.equal(rooms.map(() => 200));

    const holderPid = async (): Promise<number | null> => {
      const rows = await cluster.db.sql<{ owner: string }>("SELECT owner FROM leases WHERE name = 'plugin:slowpoke'");
      return rows.length === 0 ? null : Number(rows[0]!.owner.split(':').at(-2));
    };
    await waitFor(async () => (await holderPid()) !== null, 10_000, 'an instance to take the slowpoke lease');
    const victim = (await holderPid()) === a.pid ? a : b;
    const survivor = victim === a ? b : a;
    const handled = (i: Instance) => readRecords(out(i.name)).filter((r) => r.hook === 'handle');
    const done = (i: Instance) => new Set(readRecords(out(i.name)).filter((r) => r.hook === 'done').map((r) => r.seq as number));

    // Kill the holder with work in flight.
    await waitFor(() => done(victim).size >= 5, 10_000, `${victim.name} to finish a few events`);
    victim.child.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await victim.child.exited).to.equal('SIGKILL');
    expect(handled(survivor), `${survivor.name} delivered nothing while ${victim.name} held the lease`).to.deep.equal([]);
    const victimDone = done(victim);
    expect(victimDone.size).to.be.below(rooms.length);

    // The survivor takes over only once the lease has run out, and soon after.
    await waitFor(() => handled(survivor).length > 0, LEASE_MS + 5000, `${survivor.name} to take over`);
    const tookOverAfter = Date.now() - killedAt;
    // The victim took or renewed its lease at most LEASE_MS/3 before its pass began, and the pass
    // (0.8 s of work in all) was younger than that: at least a second of the lease was left.
    expect(tookOverAfter, 'ms from the kill to the takeover').to.be.at.least(1000);

    // Every event the victim had not finished is finished by the survivor.
    const seqs = (await cluster.db.sql<{ seq: string }>('SELECT seq FROM events ORDER BY seq')).map((r) => Number(r.seq));
    expect(seqs).to.have.length(rooms.length);
    await waitFor(() => seqs.every((s) => victimDone.has(s) || done(survivor).has(s)), 15_000, `${survivor.name} to finish the rest`);
    const missing = seqs.filter((s) => !victimDone.has(s) && !done(survivor).has(s));
    expect(missing).to.deep.equal([]);
    // What the victim finished after its cursor was last saved is delivered again (at least once),
    // with the same idempotency key, so a plugin that keys its effects on it does them once.
    const keyOf = (i: Instance) => new Map(handled(i).map((r) => [r.delivery.seq as number, r.delivery.key as string]));
    const victimKeys = keyOf(victim);
    for (const [seq, key] of keyOf(survivor)) if (victimKeys.has(seq)) expect(key, `idempotency key of seq ${seq}`).to.equal(victimKeys.get(seq));
    // And the shared cursor reaches the end of the log, so a restart redelivers nothing.
    const cursor = async () => Number((await cluster.db.sql<{ seq: string }>("SELECT seq FROM plugin_cursors WHERE plugin = 'slowpoke'"))[0]!.seq);
    await waitFor(async () => (await cursor()) === seqs.at(-1), 5000, 'the cursor to reach the last event');
  });
});
