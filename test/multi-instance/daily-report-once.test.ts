/**
 * Two `livehook serve` processes on one PostgreSQL database, both running
 * stats-rollup's daily job on a seconds schedule: every slot fires on both
 * at the same moment, and each slot's report is built by one of them only
 * (the slot claim in the store); the day's mail goes out once.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { post, waitFor } from '../helpers/service';
import { destroyRoom } from '../plugins/stats-rollup/harness';
import { type Instance, startInstance, stopInstances, useCluster } from './instances';

const ROLLUP = { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'], catchUpDays: 0 };
const QUERY = { SdkAppid: '1400000001' };

describe('several instances on one PostgreSQL database: one report per slot', function () {
  this.timeout(90_000);
  const cluster = useCluster({ smtp: true });
  const { instances } = cluster;

  it('builds each slot on one instance, whichever fires first, and mails the day once', async function () {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const noon = Date.parse(`${yesterday}T12:00:00Z`);
    const start = (name: string, schedule: string, extra: Record<string, unknown> = {}) =>
      startInstance({
        name,
        databaseUrl: cluster.db.url,
        config: { onlyPlugins: ['stats-rollup'], plugins: { 'stats-rollup': { ...ROLLUP, ...extra } } },
        // debug: the scheduler then says when a slot was already claimed by the other instance.
        env: { LIVEHOOK_TIMEZONE: 'UTC', LIVEHOOK_ROLLUP_SCHEDULE: schedule, LIVEHOOK_SMTP_URL: cluster.smtp.url, LIVEHOOK_LOG_LEVEL: 'debug' },
      });

    // Yesterday's rooms are stored first, while the daily job is far away.
    const seed = await start('seed', '0 0 1 1 *');
    instances.push(seed);
    for (let i = 0; i < 5; i++) expect((await post(seed.url, JSON.stringify(destroyRoom(noon + i * 60_000)), QUERY)).status).to.equal(200);
    await waitFor(
      async () => (await cluster.db.sql("SELECT 1 FROM plugin_records WHERE plugin = 'stats-rollup' AND collection = 'rooms'")).length === 5,
      10_000,
      'stats-rollup to record the 5 rooms',
    );
    await stopInstances(instances.splice(0));

    // Then two instances whose job fires every second, mail on.
    const mail = { mailTo: ['ops@example.com'] };
    instances.push(...(await Promise.all([start('a', '* * * * * *', mail), start('b', '* * * * * *', mail)])));
    const [a, b] = instances as [Instance, Instance];
    const runs = () =>
      [a, b].flatMap((i) => i.logs().filter((l) => l.msg === 'cron job done' && l.job === 'daily-report').map((l) => ({ pid: i.pid, slot: String(l.slot) })));
    // Both fire each slot, and the one that does not run it finds it claimed. Under load a run
    // outlasts the second, and node-cron (noOverlap) skips that instance's next tick: it then
    // neither runs nor finds that slot claimed. So wait for some slots to show the claim path;
    // no slot running twice (below) is the rule.
    const skipped = (i: Instance) => new Set(i.logs().filter((l) => ['slot claimed by another instance', 'slot already run by another instance'].includes(String(l.msg)) && l.job === 'daily-report').map((l) => String(l.slot)));
    const foundClaimed = () => runs().filter((run) => skipped(run.pid === a.pid ? b : a).has(run.slot));
    await waitFor(() => runs().length >= 5 && foundClaimed().length >= 2, 45_000, 'five slots of the daily job to run, two of them found claimed by the other instance');
    // Stopped (folders kept until afterEach), so the logs and claims below are final.
    await Promise.all([a, b].map((i) => i.child.kill('SIGTERM')));

    // Each slot ran once in all, on the instance whose claim won it.
    const done = runs();
    const perSlot = new Map<string, number>();
    for (const run of done) perSlot.set(run.slot, (perSlot.get(run.slot) ?? 0) + 1);
    expect([...perSlot.entries()].filter(([, n]) => n > 1), 'slots run on both instances').to.deep.equal([]);
    const slots = [...perSlot.keys()].sort();
    const claims = await cluster.db.sql<{ key: string }>("SELECT key FROM plugin_records WHERE plugin = 'scheduler/stats-rollup' AND collection = 'cron-slots'");
    expect(claims.map((c) => c.key)).to.include.members(slots.map((slot) => `daily-report@${slot}`));

    // Every run built the day (with all 5 rooms, whichever instance built it), and it was mailed once.
    const builds = [a, b].flatMap((i) => i.logs().filter((l) => l.msg === `report of ${yesterday} built (schedule)`));
    expect(builds.length).to.equal(done.length);
    for (const build of builds) expect(build.rooms).to.equal(5);
    const reports = cluster.smtp.received.filter((m) => m.parsed.subject?.startsWith('Daily report'));
    expect(reports.map((m) => m.parsed.subject)).to.deep.equal([`Daily report ${yesterday}: 5 rooms closed`]);
    for (const i of [a, b]) {
      if (done.some((run) => run.pid === i.pid)) expect(fs.existsSync(`${i.dataDir}/reports/${yesterday}.json`), `${i.name}'s report file`).to.equal(true);
    }
  });
});
