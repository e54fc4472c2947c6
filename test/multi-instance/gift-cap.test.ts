/**
 * Two instances on one PostgreSQL database answer gifts from one sender at
 * the same time: gift-guard's daily cap holds exactly (its counter is added
 * to atomically in the database, not read and then written).
 */
import { expect } from 'chai';
import { post } from '../helpers/service';
import { gift } from '../decide/decider-plugin';
import { type Instance, startInstance, useCluster } from './instances';

const QUERY = { SdkAppid: '1400000001' };

describe('several instances on one PostgreSQL database: gift-guard\'s cap', function () {
  this.timeout(60_000);
  const cluster = useCluster();

  it('never lets two instances together pass the daily cap', async () => {
    const start = (name: string) =>
      startInstance({
        name,
        databaseUrl: cluster.db.url,
        config: { onlyPlugins: ['gift-guard'], plugins: { 'gift-guard': { enabled: true, capabilities: ['store'], maxCoinsPerSenderPerDay: 5200 } } },
        env: { LIVEHOOK_TIMEZONE: 'UTC' },
      });
    cluster.instances.push(...(await Promise.all([start('a'), start('b')])));
    const [a, b] = cluster.instances as [Instance, Instance];
    // 30 gifts of 520 coins, all on one day, half to each instance at once: 10 fit in 5,200.
    const base = Date.parse('2026-11-20T08:00:00Z') / 1000;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(i % 2 === 0 ? a.url : b.url, gift({ from: 'whale', time: base + i, coins: 520 }), QUERY)),
    );
    const codes = answers.map((r) => (r.body as { ErrorCode: number }).ErrorCode);
    expect(codes.filter((c) => c === 0)).to.have.length(10);
    expect(codes.filter((c) => c === 102102)).to.have.length(20);
    const [counter] = await cluster.db.sql<{ value: unknown }>("SELECT value FROM plugin_records WHERE plugin = 'gift-guard' AND collection = 'coins-per-day'");
    expect(Number(counter.value)).to.equal(5200);
  });
});
