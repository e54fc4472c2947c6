/**
 * `livehook report` refuses days whose report would be wrong or would
 * replace a right one, and says which configuration it read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { livehookInProcess } from '../helpers/cli';
import { startTestService, tempDir } from '../helpers/service';
import { destroyRoom } from '../plugins/stats-rollup/harness';
import { reportTaskRefusal } from '../../plugins/stats-rollup/report-task-guard';

const ROLLUP = { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'], schedule: '0 0 1 1 *', catchUpDays: 0 };
const SHANGHAI = 'Asia/Shanghai';

/** The day `offset` days from today in a zone. */
function dayIn(zone: string, offset: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offset * 86_400_000));
}

describe('livehook report refuses what it should not build', function () {
  this.timeout(60_000);
  let env: Record<string, string>;
  const day = dayIn(SHANGHAI, -3);

  before(async () => {
    const svc = await startTestService({ env: { LIVEHOOK_TIMEZONE: SHANGHAI }, plugins: { 'stats-rollup': ROLLUP }, onlyPlugins: ['stats-rollup'] });
    try {
      // Noon in Shanghai of that day, two rooms.
      const noon = Date.parse(`${day}T04:00:00Z`);
      for (const at of [noon, noon + 60_000]) expect((await svc.post(destroyRoom(at), { SdkAppid: '1400000001' })).status).to.equal(200);
      await svc.waitForIdle();
    } finally {
      await svc.stop();
    }
    env = { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir };
  });

  it('says on its first line (stderr) which config, environment and time zone it read', async () => {
    const result = await livehookInProcess(['report', '--date', dayIn('UTC', 1)], env);
    const first = result.stderr.split('\n')[0];
    expect(first).to.equal(`livehook: config ${env.LIVEHOOK_CONFIG_DIR}; environment: LIVEHOOK_CONFIG_DIR, LIVEHOOK_DATA_DIR, LIVEHOOK_TIMEZONE; store SQLite in ${env.LIVEHOOK_DATA_DIR}; time zone UTC`);
    expect(result.stdout).not.to.contain('livehook: config');
  });

  it('a day in the future, and today unless --partial', async () => {
    const tomorrow = dayIn(SHANGHAI, 1);
    const future = await livehookInProcess(['report', '--date', tomorrow], { ...env, LIVEHOOK_TIMEZONE: SHANGHAI });
    expect(future.code).to.equal(1);
    expect(future.stderr).to.contain(`${tomorrow}: failed:`).and.contain(`${tomorrow} is in the future (today is ${dayIn(SHANGHAI, 0)} in ${SHANGHAI})`);

    const today = dayIn(SHANGHAI, 0);
    const unfinished = await livehookInProcess(['report', '--date', today], { ...env, LIVEHOOK_TIMEZONE: SHANGHAI });
    expect(unfinished.code).to.equal(1);
    expect(unfinished.stderr).to.contain(`${today} is today in ${SHANGHAI} and not over yet: give --partial`);
    const partial = await livehookInProcess(['report', '--date', today, '--partial'], { ...env, LIVEHOOK_TIMEZONE: SHANGHAI });
    expect(partial.code, partial.stderr).to.equal(0);
    expect(partial.stdout).to.match(new RegExp(`^${today}: \\d+ rooms? closed`));
    // Said so in the data and on the page: rooms closed later today are not in it.
    expect(JSON.parse(fs.readFileSync(path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${today}.json`), 'utf8'))).to.include({ partial: true });
    expect(fs.readFileSync(path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${today}.html`), 'utf8')).to.match(/Partial: built at [\d-]+ [\d:]+ UTC, before the day ended/);
  });

  it('to replace a report built in another zone, unless --timezone says so', async () => {
    const built = await livehookInProcess(['report', '--date', day], { ...env, LIVEHOOK_TIMEZONE: SHANGHAI });
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stdout).to.contain(`${day}: 2 rooms closed`);
    expect(JSON.parse(fs.readFileSync(path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${day}.json`), 'utf8'))).to.include({ partial: false });
    const file = path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${day}.json`);
    const published = fs.readFileSync(file, 'utf8');

    // A shell without the service's LIVEHOOK_TIMEZONE (the test helper runs in UTC).
    const mismatch = await livehookInProcess(['report', '--date', day], env);
    expect(mismatch.code).to.equal(1);
    expect(mismatch.stderr).to.contain(`the stored report of ${day} was built in ${SHANGHAI}, and this run would rebuild it in UTC: give --timezone ${SHANGHAI}`);
    expect(fs.readFileSync(file, 'utf8')).to.equal(published);

    const asItWas = await livehookInProcess(['report', '--date', day, '--timezone', SHANGHAI], env);
    expect(asItWas.code, asItWas.stderr).to.equal(0);
    expect(asItWas.stderr.split('\n')[0]).to.match(new RegExp(`environment: LIVEHOOK_CONFIG_DIR, LIVEHOOK_DATA_DIR; store .*; time zone ${SHANGHAI} \\(--timezone\\)$`));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ timezone: SHANGHAI });

    const replaced = await livehookInProcess(['report', '--date', day, '--timezone', 'UTC'], env);
    expect(replaced.code, replaced.stderr).to.equal(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ timezone: 'UTC' });
  });

  it('takes a zone written in any case as the zone itself, and keeps it as Intl spells it', async () => {
    const file = path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${day}.json`);
    const lower = await livehookInProcess(['report', '--date', day, '--timezone', 'asia/shanghai'], env);
    expect(lower.code, lower.stderr).to.equal(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ timezone: SHANGHAI });
    const upper = await livehookInProcess(['report', '--date', day], { ...env, LIVEHOOK_TIMEZONE: 'ASIA/SHANGHAI' });
    expect(upper.code, upper.stderr).to.equal(0);
    expect(upper.stderr.split('\n')[0]).to.match(new RegExp(`time zone ${SHANGHAI}$`));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ timezone: SHANGHAI });
    // A report kept from before, under the name as it was typed, is not "another zone".
    const refusal = await reportTaskRefusal({ day, today: dayIn(SHANGHAI, 0), zone: SHANGHAI, keepDays: 90, partial: false, zoneGiven: false, storedZone: async () => 'asia/shanghai', hasRooms: async () => true });
    expect(refusal).to.equal(null);
  });

  it('a day older than the rooms kept (keepDays) whose rooms are gone: its report stays', async () => {
    const old = dayIn('UTC', -200);
    const file = path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${old}.json`);
    // A report built back then (imported from its file into the store on first use).
    const published = `${JSON.stringify({ date: old, timezone: 'UTC', rooms: { destroyed: 9 } })}\n`;
    fs.writeFileSync(file, published);
    const result = await livehookInProcess(['report', '--date', old], env);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`${old} is older than the rooms kept (keepDays 90: from ${dayIn('UTC', -90)}) and none of its rooms are left, so it cannot be rebuilt: its report stays as built`);
    expect(fs.readFileSync(file, 'utf8')).to.equal(published);
  });

  it('a day older than the rooms kept that has no report and no rooms (a mistyped year): nothing is built', async () => {
    for (const old of ['1025-09-04', dayIn('UTC', -300)]) {
      const result = await livehookInProcess(['report', '--date', old], env);
      expect(result.code, old).to.equal(1);
      expect(result.stderr, result.stderr).to.contain(`${old} is older than the rooms kept (keepDays 90: from ${dayIn('UTC', -90)}), has no report and no rooms: there is nothing to build (is the date right?)`);
      expect(fs.existsSync(path.join(env.LIVEHOOK_DATA_DIR, 'reports', `${old}.json`))).to.equal(false);
    }
  });

  it('a data dir where no service has run (another shell\'s environment): nothing is created there', async () => {
    const elsewhere = path.join(tempDir(), 'data');
    const result = await livehookInProcess(['report', '--date', day], { ...env, LIVEHOOK_DATA_DIR: elsewhere });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`no store at ${path.join(elsewhere, 'livehook.db')}: no service has run with this data dir; give the service's LIVEHOOK_DATA_DIR (or DATABASE_URL)`);
    expect(fs.existsSync(elsewhere)).to.equal(false);
  });

  it('a --timezone that is not a zone, before starting anything', async () => {
    const result = await livehookInProcess(['report', '--date', day, '--timezone', 'Mars/Olympus'], { LIVEHOOK_CONFIG_DIR: '/nonexistent', LIVEHOOK_DATA_DIR: tempDir() });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('livehook report: --timezone "Mars/Olympus" is not an IANA time zone');
  });

  it('no advice about mail: report and replay send none', async () => {
    const smtp = { ...env, LIVEHOOK_SMTP_URL: 'smtp://127.0.0.1:1', LIVEHOOK_TIMEZONE: SHANGHAI };
    for (const args of [['report', '--date', day, '--timezone', SHANGHAI], ['replay']]) {
      const result = await livehookInProcess(args, smtp);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr + result.stdout, args.join(' ')).not.to.match(/recipients|mail is sent From|SMTP server/);
    }
  });
});
