/**
 * Two `livehook serve` processes on one PostgreSQL schema, each with its own
 * data dir: a report built by either of them (or by `livehook report` run
 * from a third place) is served by both, and the catch-up at start builds
 * each missed day once between them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { livehookInProcess } from '../helpers/cli';
import { get, post, tempDir, waitFor } from '../helpers/service';
import { destroyRoom } from '../plugins/stats-rollup/harness';
import { type Instance, startInstance, stopInstances, useCluster } from './instances';

const ROLLUP = { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'] };
const QUERY = { SdkAppid: '1400000001' };
const BULK_ROOMS = 60_000;
const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('several instances on one PostgreSQL database: reports are shared', function () {
  this.timeout(90_000);
  const cluster = useCluster();
  const { instances, dirs } = cluster;

  const start = (name: string, rollup: Record<string, unknown>) =>
    startInstance({
      name,
      databaseUrl: cluster.db.url,
      // The daily job far away: the catch-up and the CLI are what build here.
      config: { onlyPlugins: ['stats-rollup'], plugins: { 'stats-rollup': { ...ROLLUP, schedule: '0 0 1 1 *', ...rollup } } },
      env: { LIVEHOOK_TIMEZONE: 'UTC' },
    });

  it('builds each missed day once at start, and both instances serve every report', async function () {
    const missed = [utcDay(-3), utcDay(-2)];
    const byCli = '2025-09-04';

    // Rooms of the missed days (and of an old day) are stored while the catch-up is off.
    const seed = await start('seed', { catchUpDays: 0 });
    instances.push(seed);
    const bodies = [...missed.flatMap((day) => [0, 1, 2].map((i) => destroyRoom(Date.parse(`${day}T09:00:00Z`) + i * 60_000))), destroyRoom(Date.parse(`${byCli}T12:00:00Z`))];
    for (const body of bodies) expect((await post(seed.url, JSON.stringify(body), QUERY)).status).to.equal(200);
    await waitFor(
      async () => (await cluster.db.sql("SELECT 1 FROM plugin_records WHERE plugin = 'stats-rollup' AND collection = 'rooms'")).length === bodies.length,
      10_000,
      'stats-rollup to record the rooms',
    );
    await stopInstances(instances.splice(0));
    // Many more rooms on the first missed day, so that its build takes a while: the other
    // instance's catch-up then finds it unlisted and claimed, rather than built already.
    await cluster.db.sql(
      `INSERT INTO plugin_records (plugin, collection, key, at, value)
       SELECT 'stats-rollup', 'rooms', 'bulk-' || n, $1::bigint + n, json_build_object(
         'roomId', 'bulk-' || n, 'roomName', 'Bulk ' || n, 'owner', NULL, 'eventType', 'DestroyByUser',
         'statistic', json_build_object('TotalViewers', n % 100, 'TotalGiftsSent', 1, 'TotalGiftCoins', n % 1000, 'TotalUniqueGiftSenders', 1, 'TotalLikesReceived', 2),
         'receivedAt', $1::bigint)::text
       FROM generate_series(1, $2::int) AS n`,
      [Date.parse(`${missed[0]}T10:00:00Z`), BULK_ROOMS],
    );

    // Two instances start together; each one's catch-up finds both days without a report.
    instances.push(...(await Promise.all([start('a', {}), start('b', {})])));
    const [a, b] = instances as [Instance, Instance];
    const served = async (i: Instance, date: string) => {
      const res = await get(i.url, `/reports/${date}.json`);
      return res.status === 200 ? res.body : null;
    };
    for (const day of missed) {
      for (const i of [a, b]) await waitFor(async () => (await served(i, day)) !== null, 15_000, `${i.name} to serve ${day}`);
    }
    // Both catch-ups have looked at both days by now (they start 1 s after the plugin).
    await waitFor(() => [a, b].every((i) => i.logs().some((l) => l.msg === 'plugin started')), 5000, 'both plugins to start');
    await new Promise((r) => setTimeout(r, 1500));

    const builds = (i: Instance, day: string) => i.logs().filter((l) => l.msg === `report of ${day} built (catch-up)`);
    for (const day of missed) {
      const builders = [a, b].filter((i) => builds(i, day).length > 0);
      expect(builders.map((i) => i.name), `instances that built ${day}`).to.have.length(1);
      expect(builds(builders[0]!, day)).to.have.length(1);
      const other = builders[0] === a ? b : a;
      // The same report on both, though only the builder has the file.
      const [onA, onB] = [await served(a, day), await served(b, day)];
      expect(onA).to.deep.equal(onB);
      expect(onA.rooms.destroyed).to.equal(day === missed[0] ? 3 + BULK_ROOMS : 3);
      expect(fs.existsSync(path.join(builders[0]!.dataDir, 'reports', `${day}.json`)), `${builders[0]!.name}'s file`).to.equal(true);
      expect(fs.existsSync(path.join(other.dataDir, 'reports', `${day}.json`)), `${other.name}'s file`).to.equal(false);
      if (day === missed[0]) {
        // The big day was still being built when the other instance's catch-up came to it.
        const skipped = other.logs().filter((l) => l.msg === `report of ${day} not built here (catch-up): another build holds the day's claim`);
        expect(skipped, `${other.name} logged that it left ${day}`).to.have.length(1);
      }
      for (const i of [a, b]) {
        expect((await get(i.url, `/reports/${day}`)).body, `${i.name}'s page of ${day}`).to.contain('<svg class="chart"');
      }
    }
    const listed = async (i: Instance) => (await get(i.url, '/reports', { Accept: 'application/json' })).body.reports.map((r: { date: string }) => r.date);
    expect(await listed(a)).to.deep.equal([...missed].reverse());
    expect(await listed(b)).to.deep.equal([...missed].reverse());

    // `livehook report` from a data dir of its own, on the same database: both serve what it built.
    const cliData = tempDir('livehook-cli-');
    dirs.push(cliData);
    const run = await livehookInProcess(['report', '--date', byCli], { LIVEHOOK_CONFIG_DIR: a.configDir, LIVEHOOK_DATA_DIR: cliData, DATABASE_URL: cluster.db.url });
    expect(run.code, run.stderr).to.equal(0);
    for (const i of [a, b]) expect((await served(i, byCli))?.rooms.destroyed, `${i.name} serves ${byCli}`).to.equal(1);
    expect(await listed(b)).to.deep.equal([...missed].reverse().concat(byCli));
  });
});
