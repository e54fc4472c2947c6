/**
 * stats-rollup through the real service: callbacks posted to /callback, the
 * daily cron job on a seconds schedule, the catch-up of a missed day at
 * start, the daily mail (outbox), `livehook report` as a separate process
 * while the service runs and after it stopped, and /reports with the admin token.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { reportCommand } from '../../../src/cli/report-boot';
import { livehookInProcess } from '../../helpers/cli';
import { REPO_ROOT, fixture, startTestService, tempDir, waitFor, type TestService } from '../../helpers/service';
import { TestSmtpServer } from '../../mail/smtp-test-server';
import { destroyRoom, localInstant, removeDir } from './harness';

const ROLLUP = { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'], schedule: '0 0 1 1 *' };

/** `npx livehook ...` as its own process. */
function livehook(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'src/bin/livehook.js'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function utcDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function mails(dataDir: string) {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return Promise.all(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
}

describe('stats-rollup in the running service', function () {
  this.timeout(60_000);
  const services: TestService[] = [];
  const dirs: string[] = [];
  const start = async (...args: Parameters<typeof startTestService>) => {
    const svc = await startTestService(...args);
    services.push(svc);
    return svc;
  };
  afterEach(async () => {
    for (const svc of services.splice(0)) await svc.stop();
    for (const dir of dirs.splice(0)) removeDir(dir);
  });

  it('counts posted callbacks by local day, once each, and `livehook report` builds the day whether or not the service runs', async () => {
    const tz = 'Asia/Shanghai';
    const svc = await start({ env: { LIVEHOOK_TIMEZONE: tz }, plugins: { 'stats-rollup': ROLLUP } });
    dirs.push(svc.dataDir, svc.configDir);
    const late = destroyRoom(localInstant(tz, '2025-09-04T23:59:59.500'), { roomId: 'edge-late', statistic: { TotalViewers: 30 } });
    const bodies = [
      late,
      late, // Tencent resends
      destroyRoom(localInstant(tz, '2025-09-05T00:00:00.000'), { roomId: 'edge-next-day', statistic: { TotalViewers: 1000 } }),
      destroyRoom(localInstant(tz, '2025-09-04T08:15:00.000'), { roomId: 'morning', statistic: { TotalViewers: 12 } }),
    ];
    for (const body of bodies) expect((await svc.post(body, { SdkAppid: '1400000001' })).status).to.equal(200);
    // The production capture: DestroyBySystem with no Statistic (EventTime 2025-09-04 19:41 in Shanghai).
    expect((await svc.post(fixture('destroy-room.production-capture.json'), { SdkAppid: '1400000001' })).status).to.equal(200);
    await svc.waitForIdle();

    const env = { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir, LIVEHOOK_TIMEZONE: tz };
    const run = await livehook(['report', '--date', '2025-09-04'], env);
    expect(run.stderr).not.to.contain('"level":"error"');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(`2025-09-04: 3 rooms closed (1 without statistics) -> ${path.join(svc.dataDir, 'reports')}/2025-09-04.html\n`);

    const res = await svc.get('/reports/2025-09-04.json');
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ date: '2025-09-04', timezone: tz });
    expect(res.body.rooms).to.deep.equal({ destroyed: 3, byEventType: { DestroyByUser: 2, DestroyBySystem: 1 }, closedBySystemShare: 0.3333, withStatistic: 2, withoutStatistic: 1 });
    expect(res.body.totals.TotalViewers).to.equal(42);
    expect(res.body.roomsPerHour[23].destroyed).to.equal(1);
    expect(res.body.topRooms.map((r: { roomId: string }) => r.roomId)).to.deep.equal(['edge-late', 'morning']);
    expect((await svc.get('/reports/2025-09-04')).body).to.contain('<svg class="chart"');
    // Served from the store the CLI wrote to, not from the file: the file is only the local copy.
    fs.rmSync(path.join(svc.dataDir, 'reports'), { recursive: true });
    expect((await svc.get('/reports/2025-09-04.json')).body.rooms.destroyed).to.equal(3);
    expect((await svc.get('/reports', { Accept: 'application/json' })).body.reports.map((r: { date: string }) => r.date)).to.deep.equal(['2025-09-04']);

    // With the service stopped, a range: one line per day and a total.
    await svc.stop();
    const range = await livehook(['report', '--from', '2025-09-04', '--to', '2025-09-05'], env);
    expect(range.code).to.equal(0);
    const lines = range.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^\[1\/2\] 2025-09-04: 3 rooms closed/);
    expect(lines[1]).to.match(/^\[2\/2\] 2025-09-05: 1 room closed \(0 without statistics\)/);
    expect(lines[2]).to.match(/^2 reports built in \d+\.\d s$/);
  });

  it('deletes the rooms of days older than keepDays after the daily run, keeps their reports, and never rebuilds such a day', async () => {
    const old = utcDay(-5);
    const recent = utcDay(-1);
    const noon = (day: string) => Date.parse(`${day}T12:00:00Z`);
    const first = await start({ plugins: { 'stats-rollup': { ...ROLLUP, catchUpDays: 0 } } });
    dirs.push(first.dataDir, first.configDir);
    for (let i = 0; i < 3; i++) expect((await first.post(destroyRoom(noon(old) + i, { roomId: `old-${i}` }), { SdkAppid: '1400000001' })).status).to.equal(200);
    expect((await first.post(destroyRoom(noon(recent), { roomId: 'recent' }), { SdkAppid: '1400000001' })).status).to.equal(200);
    await first.waitForIdle();
    const env = { LIVEHOOK_CONFIG_DIR: first.configDir, LIVEHOOK_DATA_DIR: first.dataDir, LIVEHOOK_TIMEZONE: 'UTC' };
    expect((await livehook(['report', '--date', old], env)).stdout).to.contain(`${old}: 3 rooms closed`);
    await first.stop();

    // The daily job every second, rooms kept for 2 days: the old day's rooms go at its first run.
    const svc = await start({ dataDir: first.dataDir, plugins: { 'stats-rollup': { ...ROLLUP, schedule: '* * * * * *', catchUpDays: 0, keepDays: 2, reviseDelayMs: 100 } } });
    await waitFor(() => svc.logs.some((l) => /^deleted \d+ room records/.test(String(l.msg))), 10_000, 'the rooms to be pruned');
    expect(svc.logs.find((l) => /^deleted \d+ room records/.test(String(l.msg)))!.msg).to.equal(`deleted 3 room records of days before ${utcDay(-2)} (keepDays 2); their reports stay`);
    const rooms: string[] = [];
    for await (const rec of svc.service.store.records('stats-rollup').scan<{ roomId: string }>('rooms', 0, Number.MAX_SAFE_INTEGER)) rooms.push(rec.value.roomId);
    expect(rooms).to.deep.equal(['recent']);
    expect((await svc.get('/reports/' + old + '.json')).body.rooms.destroyed).to.equal(3);

    // A late room for that day is not counted into a report rebuilt from what is left.
    expect((await svc.post(destroyRoom(noon(old) + 10, { roomId: 'old-late' }), { SdkAppid: '1400000001' })).status).to.equal(200);
    await waitFor(() => svc.logs.some((l) => l.level === 'warn' && l.date === old), 5000, 'the warning about the late room');
    expect(svc.logs.find((l) => l.level === 'warn' && l.date === old)!.msg).to.contain(`a room of ${old} came after that day's rooms were deleted`);
    // Nor by hand.
    const rebuild = await livehook(['report', '--date', old], { ...env, LIVEHOOK_CONFIG_DIR: svc.configDir });
    expect(rebuild.code).to.equal(1);
    expect(rebuild.stderr).to.contain(`the rooms of ${old} were deleted after keepDays (2) days, so it cannot be rebuilt: its report stays as built`);
    // A day of that time that never had a report is not told its report stays.
    const never = await livehook(['report', '--date', utcDay(-6)], { ...env, LIVEHOOK_CONFIG_DIR: svc.configDir });
    expect(never.code).to.equal(1);
    expect(never.stderr).to.contain(`the rooms of ${utcDay(-6)} were deleted after keepDays (2) days, so it cannot be built (it has no report: none was built while its rooms were kept)`);
    expect((await svc.get('/reports/' + old + '.json')).body.rooms.destroyed).to.equal(3);

    // A late room that marked its day stale just as the day's rooms went (a race): the next
    // run drops the mark instead of failing on it, and goes on pruning.
    const runsBefore = svc.logs.filter((l) => l.msg === 'cron job done').length;
    await svc.service.store.records('stats-rollup').put('stale', old, noon(old), { since: Date.now() });
    await waitFor(async () => (await svc.service.store.records('stats-rollup').get('stale', old)) === null, 10_000, 'the stale mark to be dropped');
    await waitFor(() => svc.logs.filter((l) => l.msg === 'cron job done').length > runsBefore + 1, 10_000, 'the daily job to keep succeeding');
    expect(svc.logs.filter((l) => l.level === 'error')).to.deep.equal([]);
  });

  it('explains bad usage with exit code 2, before starting anything', async () => {
    const env = { LIVEHOOK_CONFIG_DIR: '/nonexistent', LIVEHOOK_DATA_DIR: tempDir() };
    dirs.push(env.LIVEHOOK_DATA_DIR);
    for (const [args, message] of [
      [['report'], 'which day? give --date, or --from and --to'],
      [['report', '--date', '2025-02-30'], '--date "2025-02-30" is not a day written YYYY-MM-DD'],
      [['report', '--from', '2025-09-05', '--to', '2025-09-01'], '--from 2025-09-05 is after --to 2025-09-01'],
      [['report', '--from', '2025-09-05'], '--from needs --to too'],
      [['report', '--date', '2025-09-04', '--from', '2025-09-01', '--to', '2025-09-02'], 'give either --date, or --from and --to, not both'],
      [['report', '--day', '2025-09-04'], 'unknown option "--day"'],
      [['report', '--from', '2020-01-01', '--to', '2025-01-01'], 'the range 2020-01-01 to 2025-01-01 is longer than 366 days; split it into several runs'],
    ] as const) {
      const res = await livehookInProcess([...args], env);
      expect(res.code, args.join(' ')).to.equal(2);
      expect(res.stderr).to.contain(`livehook report: ${message}`).and.contain('usage: livehook report --date YYYY-MM-DD');
    }
    const help = await livehookInProcess(['report', '--help'], env);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('usage: livehook report');
    // A good command with a broken config: exit 1 and the reason.
    const broken = await livehookInProcess(['report', '--date', '2025-09-04'], env);
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.contain('livehook report: could not start:').and.contain('/nonexistent');
  });

  it('shows progress on a terminal', async () => {
    const svc = await start({ env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': { ...ROLLUP, keepDays: 36_500 } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(svc.dataDir, svc.configDir);
    let out = '';
    const stdout = new Writable({ write(chunk, _e, done) { out += chunk.toString(); done(); } });
    const code = await reportCommand(['--from', '2025-09-01', '--to', '2025-09-02'], {
      stdout,
      stderr: stdout,
      isTTY: true,
      env: { ...process.env, LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir, LIVEHOOK_TIMEZONE: 'UTC' },
    });
    expect(code).to.equal(0);
    expect(out).to.contain('\r\x1b[K[1/2] building 2025-09-01…\r\x1b[K[1/2] 2025-09-01: 0 rooms closed');
    expect(out).to.contain('\r\x1b[K[2/2] building 2025-09-02…');
  });

  it('builds the previous day on the cron schedule (seconds field) and mails it once', async () => {
    const yesterday = utcDay(-1);
    const noon = Date.parse(`${yesterday}T12:00:00Z`);
    // First run: store yesterday's rooms with the daily job far away.
    const first = await start({ env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': { ...ROLLUP, catchUpDays: 0 } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(first.dataDir, first.configDir);
    for (let i = 0; i < 4; i++) await first.post(destroyRoom(noon + i * 60_000, { statistic: { TotalGiftCoins: 250 } }));
    await first.waitForIdle();
    expect((await first.get(`/reports/${yesterday}.json`)).status).to.equal(404);
    await first.stop();

    // Then the job every second (LIVEHOOK_ROLLUP_SCHEDULE) with mail on; no catch-up, so the cron is what builds.
    const svc = await start({
      dataDir: first.dataDir,
      env: { LIVEHOOK_TIMEZONE: 'UTC', LIVEHOOK_ROLLUP_SCHEDULE: '* * * * * *' },
      plugins: { 'stats-rollup': { ...ROLLUP, catchUpDays: 0, mailTo: ['ops@example.com', 'boss@example.com'] } },
      onlyPlugins: ['stats-rollup'],
    });
    dirs.push(svc.configDir);
    await waitFor(async () => (await svc.get(`/reports/${yesterday}.json`)).status === 200, 5000, `the cron job to build ${yesterday}`);
    const report = (await svc.get(`/reports/${yesterday}.json`)).body;
    expect(report.rooms.destroyed).to.equal(4);
    expect(report.totals.TotalGiftCoins).to.equal(1000);
    // Let the job fire again: the day is rebuilt, the mail is not sent again. A third build
    // starts only once the second run (its mail step included) is over: runs never overlap.
    const built = () => svc.logs.filter((l) => l.msg === `report of ${yesterday} built (schedule)`);
    await waitFor(() => built().length >= 3, 8000, `the cron job to rebuild ${yesterday} twice`);
    const sent = (await mails(svc.dataDir)).filter((m) => m.subject?.startsWith('Daily report'));
    expect(sent).to.have.length(1);
    expect(sent[0].subject).to.equal(`Daily report ${yesterday}: 4 rooms closed`);
    expect((Array.isArray(sent[0].to) ? sent[0].to : [sent[0].to]).flatMap((a) => a!.value.map((v) => v.address))).to.deep.equal(['ops@example.com', 'boss@example.com']);
    expect(sent[0].text).to.contain(`Rooms closed on ${yesterday} (UTC): 4`).and.contain('Gift coins: 1,000');
    // No public address configured: no links at all, rather than links that lead nowhere.
    expect(sent[0].text).not.to.contain('/reports');
    expect(sent[0].html).not.to.contain('<a ');
    expect(sent[0].html).to.contain('<table class="hours"').and.not.contain('<svg');
  });

  it('builds a day missed while the service was down when it starts again (catch-up), within catchUpDays', async () => {
    const missed = utcDay(-2);
    const tooOld = utcDay(-10);
    // The first run must not catch up itself (on a slow machine its 1 s catch-up can come before it stops).
    const first = await start({ env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': { ...ROLLUP, catchUpDays: 0 } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(first.dataDir, first.configDir);
    await first.post(destroyRoom(Date.parse(`${missed}T03:00:00Z`)));
    await first.post(destroyRoom(Date.parse(`${missed}T04:00:00Z`), { statistic: null }));
    await first.post(destroyRoom(Date.parse(`${tooOld}T03:00:00Z`)));
    await first.waitForIdle();
    await first.stop();

    const svc = await start({ dataDir: first.dataDir, env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': { ...ROLLUP, mailTo: ['ops@example.com'] } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(svc.configDir);
    await waitFor(async () => (await svc.get(`/reports/${missed}.json`)).status === 200, 8000, `the catch-up to build ${missed}`);
    const report = (await svc.get(`/reports/${missed}.json`)).body;
    expect(report.rooms).to.include({ destroyed: 2, withStatistic: 1, withoutStatistic: 1 });
    // Logged just after the report is written: wait for it rather than race it.
    await waitFor(() => svc.logs.some((l) => l.msg === `report of ${missed} built (catch-up)`), 3000, 'the catch-up to log its build');
    await waitFor(async () => (await mails(svc.dataDir)).length === 1, 3000, 'the catch-up mail');
    expect((await mails(svc.dataDir))[0].subject).to.equal(`Daily report ${missed}: 2 rooms closed`);
    // Older than catchUpDays (7): left to `livehook report`.
    expect((await svc.get(`/reports/${tooOld}.json`)).status).to.equal(404);
    // Days without rooms get no report from the catch-up.
    expect((await svc.get('/reports', { Accept: 'application/json' })).body.reports.map((r: { date: string }) => r.date)).to.deep.equal([missed]);
  });

  it('mails the report over SMTP with numbers as the page writes them, the hourly chart as a table, and links under LIVEHOOK_PUBLIC_URL', async () => {
    const day = utcDay(-2);
    const first = await start({ env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': { ...ROLLUP, catchUpDays: 0 } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(first.dataDir, first.configDir);
    const rooms: Array<{ hour: string; eventType: 'DestroyByUser' | 'DestroyBySystem'; statistic: Record<string, number> }> = [
      { hour: '03', eventType: 'DestroyByUser' as const, statistic: { TotalViewers: 1200, TotalGiftCoins: 1500, TotalLikesReceived: 20_000 } },
      { hour: '03', eventType: 'DestroyBySystem' as const, statistic: { TotalViewers: 34, TotalGiftCoins: 250 } },
      { hour: '21', eventType: 'DestroyByUser' as const, statistic: { TotalViewers: 15_000, TotalGiftCoins: 1_234_000 } },
    ];
    for (const [i, room] of rooms.entries()) {
      await first.post(destroyRoom(Date.parse(`${day}T${room.hour}:0${i}:00Z`), { roomId: `mail-room-${i}`, eventType: room.eventType, statistic: room.statistic }));
    }
    await first.waitForIdle();
    await first.stop();

    const smtp = await TestSmtpServer.start();
    try {
      // The catch-up at start builds the missed day and mails it.
      const svc = await start({
        dataDir: first.dataDir,
        env: { LIVEHOOK_TIMEZONE: 'UTC', LIVEHOOK_SMTP_URL: smtp.url, LIVEHOOK_PUBLIC_URL: 'https://reports.example.com/livehook/' },
        plugins: { 'stats-rollup': { ...ROLLUP, mailTo: ['ops@example.com'] } },
        onlyPlugins: ['stats-rollup'],
      });
      dirs.push(svc.configDir);
      const [{ parsed }] = await smtp.waitForMessages(1);
      expect(parsed.subject).to.equal(`Daily report ${day}: 3 rooms closed`);
      const text = parsed.text ?? '';
      expect(text).to.contain(`Rooms closed on ${day} (UTC): 3`);
      expect(text).to.contain('by their owner: 2, by the system: 1 (closed by the system: 33.3%)');
      expect(text).to.contain('  Viewers: 16,234\n').and.contain('  Gift coins: 1,235,750\n').and.contain('  Likes: 20,010\n');
      expect(text).not.to.match(/Total[A-Z]/);
      expect(text).to.contain('  03:00       2  (1 / 1)').and.contain('  21:00       1  (1 / 0)');
      expect(text).to.contain('1. Room mail-room-2 (mail-room-2): 15,000 viewers, 1,234,000 gift coins');
      expect(text).to.contain(`The report: https://reports.example.com/livehook/reports/${day}\nAll reports: https://reports.example.com/livehook/reports\n`);

      const html = String(parsed.html);
      expect(html).not.to.contain('<svg');
      const hours = html.match(/<tr data-hour="\d+">/g) ?? [];
      expect(hours).to.have.length(24);
      expect(html).to.match(/<tr data-hour="3"><td[^>]*>03:00<\/td><td[^>]*>2<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td>/);
      expect(html).to.contain('<p class="value">1,235,750</p>');
      expect(html).to.contain(`<a href="https://reports.example.com/livehook/reports/${day}">Open this report in the browser</a>`);
      expect(html).to.contain(`<a href="https://reports.example.com/livehook/reports/${day}.json">data (JSON)</a>`);
      // Every link is absolute: a relative one means nothing in a mail.
      expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((href) => !href.startsWith('https://reports.example.com/livehook/'))).to.deep.equal([]);
    } finally {
      await smtp.stop();
    }
  });

  it('rebuilds a published day when a late callback for it arrives', async () => {
    const svc = await start({ env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': { ...ROLLUP, reviseDelayMs: 100 } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(svc.dataDir, svc.configDir);
    await svc.post(destroyRoom(Date.parse('2025-09-04T10:00:00Z')));
    await svc.waitForIdle();
    await svc.service.isolates.runTask('stats-rollup', 'report', { date: '2025-09-04' });
    expect((await svc.get('/reports/2025-09-04.json')).body.rooms.destroyed).to.equal(1);

    await svc.post(destroyRoom(Date.parse('2025-09-04T22:00:00Z')));
    await waitFor(async () => (await svc.get('/reports/2025-09-04.json')).body.rooms.destroyed === 2, 5000, 'the rebuilt report');
    const revised = (await svc.get('/reports/2025-09-04.json')).body;
    expect(revised.revision).to.include({ revised: true, roomsArrivedLater: 1 });
  });

  it('still serves the report files an older version left in <data dir>/reports, and leaves them there', async () => {
    // What an older version wrote: files only, no copy in the store.
    const dataDir = tempDir('livehook-data-');
    dirs.push(dataDir);
    fs.mkdirSync(path.join(dataDir, 'reports'));
    const old = { date: '2025-08-30', timezone: 'UTC', rooms: { destroyed: 9, byEventType: { DestroyByUser: 9, DestroyBySystem: 0 } }, totals: { TotalViewers: 90 } };
    fs.writeFileSync(path.join(dataDir, 'reports', '2025-08-30.json'), `${JSON.stringify(old, null, 2)}\n`);
    fs.writeFileSync(path.join(dataDir, 'reports', '2025-08-30.html'), '<!doctype html><title>30 Aug</title>');
    fs.writeFileSync(path.join(dataDir, 'reports', '2025-08-31.json'), '{ cut short');

    const svc = await start({ dataDir, env: { LIVEHOOK_TIMEZONE: 'UTC' }, plugins: { 'stats-rollup': ROLLUP }, onlyPlugins: ['stats-rollup'] });
    dirs.push(svc.configDir);
    expect((await svc.get('/reports', { Accept: 'application/json' })).body.reports.map((r: { date: string }) => r.date)).to.deep.equal(['2025-08-30']);
    expect((await svc.get('/reports/2025-08-30.json')).body).to.deep.equal(old);
    expect((await svc.get('/reports/2025-08-30')).body).to.equal('<!doctype html><title>30 Aug</title>');
    // The broken one is named in the log with the command that rebuilds it.
    const warning = svc.logs.find((l) => l.level === 'warn' && l.date === '2025-08-31');
    expect(String(warning?.msg)).to.contain('2025-08-31.json is not valid JSON').and.contain('livehook report --date 2025-08-31');
    expect(fs.readdirSync(path.join(dataDir, 'reports')).sort()).to.deep.equal(['2025-08-30.html', '2025-08-30.json', '2025-08-31.json']);

    // Rebuilding an imported day from no rooms would only empty it: refused.
    const refused = await svc.service.isolates.runTask('stats-rollup', 'report', { date: '2025-08-30' }).catch((err: Error) => err);
    expect(String(refused)).to.contain('2025-08-30 is older than the rooms kept (keepDays 90').and.contain('none of its rooms are left');
    // With rooms of that day stored, it is rebuilt, in the store and in the file.
    expect((await svc.post(destroyRoom(Date.parse('2025-08-30T12:00:00Z')), { SdkAppid: '1400000001' })).status).to.equal(200);
    await svc.waitForIdle();
    await svc.service.isolates.runTask('stats-rollup', 'report', { date: '2025-08-30' });
    expect((await svc.get('/reports/2025-08-30.json')).body.rooms.destroyed).to.equal(1);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'reports', '2025-08-30.json'), 'utf8')).rooms.destroyed).to.equal(1);
  });

  it('guards /reports with LIVEHOOK_ADMIN_TOKEN', async () => {
    const svc = await start({ env: { LIVEHOOK_TIMEZONE: 'UTC', LIVEHOOK_ADMIN_TOKEN: 'let-me-in' }, plugins: { 'stats-rollup': { ...ROLLUP, keepDays: 36_500 } }, onlyPlugins: ['stats-rollup'] });
    dirs.push(svc.dataDir, svc.configDir);
    await svc.service.isolates.runTask('stats-rollup', 'report', { date: '2025-09-04' });
    const denied = await svc.get('/reports/2025-09-04.json');
    expect(denied.status).to.equal(401);
    expect(denied.body).to.include({ ActionStatus: 'FAIL', ErrorCode: 40101 });
    expect((await svc.get('/reports', { Authorization: 'Bearer nope' })).status).to.equal(401);
    const ok = await svc.get('/reports/2025-09-04.json', { Authorization: 'Bearer let-me-in' });
    expect(ok.status).to.equal(200);
    expect(ok.body.date).to.equal('2025-09-04');
    // /callback is not affected by the admin token.
    expect((await svc.post(destroyRoom(Date.now()))).status).to.equal(200);
  });
});
