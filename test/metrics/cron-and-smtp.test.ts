import { expect } from 'chai';
import { fixture, startTestService, tempDir, waitFor, type TestService } from '../helpers/service';
import { writePlugin } from '../helpers/plugin-files';
import { TestSmtpServer } from '../mail/smtp-test-server';
import { parseSamples, seriesOf, valueOf, type Sample } from './prom-text';
import { CRON_PLUGIN, MAILING_PLUGIN } from './test-plugins';

const LAST_SUCCESS = 'livehook_cron_last_success_timestamp_seconds';

async function scrape(svc: TestService): Promise<Sample[]> {
  return parseSamples((await svc.get('/metrics')).body as string);
}
function destroyBody(room: string): string {
  return fixture('destroy-room.seed-example.json').replace('"tandy-test-rest"', JSON.stringify(room));
}

describe('metrics of cron jobs and SMTP mail', () => {
  let smtp: TestSmtpServer;
  let svc: TestService;
  let startedAt: number;

  before(async () => {
    smtp = await TestSmtpServer.start();
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'ticker', 'index.ts', CRON_PLUGIN);
    writePlugin(pluginsDir, 'mailing', 'index.ts', MAILING_PLUGIN);
    startedAt = Date.now() / 1000;
    svc = await startTestService({
      pluginsDir,
      env: { LIVEHOOK_SMTP_URL: smtp.url },
      config: { mail: { from: 'livehook@example.com' } },
      plugins: {
        ticker: { enabled: true, capabilities: ['scheduler'] },
        mailing: { enabled: true, capabilities: ['mailer'], retry: { maxAttempts: 1 } },
      },
    });
  });
  after(async () => {
    await svc?.stop();
    await smtp?.stop();
  });

  it('shows when each cron job last succeeded, by plugin and job, and nothing for a job that only fails', async () => {
    await waitFor(async () => valueOf(await scrape(svc), LAST_SUCCESS, { plugin: 'ticker', job: 'works' }) !== undefined, 5000, 'a successful run of ticker/works');
    // Let the failing job fail at least once more after that.
    await waitFor(() => svc.logs.some((l) => l.job === 'fails' && l.level === 'error'), 5000, 'a failed run of ticker/fails');
    const samples = await scrape(svc);
    const at = valueOf(samples, LAST_SUCCESS, { plugin: 'ticker', job: 'works' })!;
    expect(at).to.be.within(startedAt, Date.now() / 1000);
    expect(valueOf(samples, LAST_SUCCESS, { plugin: 'ticker', job: 'fails' })).to.equal(undefined);
  });

  it('counts SMTP mails sent and refused', async () => {
    expect((await svc.post(destroyBody('smtp-1'), { SdkAppid: '1400000001' })).status).to.equal(200);
    await smtp.waitForMessages(1);
    smtp.refusal = { code: 550, message: '5.1.1 no such mailbox', at: 'rcpt' };
    expect((await svc.post(destroyBody('smtp-2'), { SdkAppid: '1400000001' })).status).to.equal(200);
    await waitFor(async () => valueOf(await scrape(svc), 'livehook_deliveries_dead', { plugin: 'mailing' }) === 1, 5000, 'the refused mail to be dead');
    expect(seriesOf(await scrape(svc), 'livehook_mails_total')).to.deep.equal({
      [JSON.stringify({ transport: 'smtp', outcome: 'sent' })]: 1,
      [JSON.stringify({ transport: 'smtp', outcome: 'failed' })]: 1,
    });
  });
});

describe('metrics: time of the last daily report', () => {
  let svc: TestService;
  after(() => svc?.stop());

  it('is the stats-rollup plugin\'s "daily-report" job', async () => {
    // Every second instead of daily: the job builds yesterday's (empty) report each time.
    svc = await startTestService({ onlyPlugins: ['stats-rollup'], env: { LIVEHOOK_ROLLUP_SCHEDULE: '* * * * * *' } });
    const startedAt = Date.now() / 1000;
    await waitFor(async () => valueOf(await scrape(svc), LAST_SUCCESS, { plugin: 'stats-rollup', job: 'daily-report' }) !== undefined, 5000, 'a daily-report run');
    expect(valueOf(await scrape(svc), LAST_SUCCESS, { plugin: 'stats-rollup', job: 'daily-report' })).to.be.within(startedAt, Date.now() / 1000);
  });
});
