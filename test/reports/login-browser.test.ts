/**
 * Reading the reports in a browser with an admin token set, as a person
 * does it: headless Chromium (Debian's `chromium`) against the real
 * service, a report built by stats-rollup from posted callbacks. The token
 * is typed into the form; it never appears in a URL; the cookie is one no
 * script can read and no other site's page can send.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startTestService, type TestService } from '../helpers/service';
import { destroyRoom, removeDir } from '../plugins/stats-rollup/harness';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-admin-token-4821';

describe('signing in to the reports in Chromium', function () {
  this.timeout(60_000);
  let svc: TestService;
  let browser: Browser;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    svc = await startTestService({
      env: { LIVEHOOK_ADMIN_TOKEN: TOKEN },
      plugins: { 'stats-rollup': { enabled: true, capabilities: ['store', 'scheduler', 'reports', 'mailer'], schedule: '0 0 1 1 *', catchUpDays: 0 } },
      onlyPlugins: ['stats-rollup'],
    });
    for (let i = 0; i < 3; i++) expect((await svc.post(destroyRoom(Date.parse(`2025-09-04T1${i}:00:00Z`), { statistic: { TotalViewers: 100 + i } }))).status).to.equal(200);
    await svc.waitForIdle();
    await svc.service.isolates.runTask('stats-rollup', 'report', { date: '2025-09-04' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    if (svc) {
      await svc.stop();
      removeDir(svc.dataDir);
      removeDir(svc.configDir);
    }
  });

  it('signs in with the form, shows the report page, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('request', (req) => urls.push(req.url()));

    // Not signed in: the report answers 401 with a way to sign in.
    const refused = await page.goto(`${svc.url}/reports/2025-09-04`);
    expect(refused?.status()).to.equal(401);
    expect(await page.locator('h1').innerText()).to.equal('Sign-in needed');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${svc.url}/login?next=%2Freports%2F2025-09-04`);

    // A wrong token: the form again, with the words, and no cookie.
    await page.getByLabel('Admin token').fill('not-the-token');
    const [wrong] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(wrong.status()).to.equal(401);
    expect(await page.getByRole('alert').innerText()).to.equal('Wrong admin token.');
    expect(await context.cookies()).to.deep.equal([]);

    // The right token: on to the report that was asked for.
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${svc.url}/reports/2025-09-04`);
    expect(await page.locator('h1').innerText()).to.equal('Rooms closed on Thursday, 4 September 2025');
    const [cookie] = await context.cookies();
    expect(cookie).to.include({ name: 'livehook_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(cookie.expires * 1000 - Date.now()).to.be.within(11.9 * 3600_000, 12 * 3600_000 + 1000);
    expect(await page.evaluate(() => (globalThis as any).document.cookie)).to.equal(''); // HttpOnly: no script sees it

    // The list of days, with its trend chart, and the data open too, with the same cookie.
    await page.goto(`${svc.url}/reports`);
    expect(await page.locator('h1').innerText()).to.equal('Daily reports');
    const bar = await page.locator('svg.trend rect.bar.destroyed').boundingBox();
    expect(bar?.height).to.be.greaterThan(10);
    await page.locator('svg.trend a.day').first().click();
    await page.waitForURL(`${svc.url}/reports/2025-09-04`);
    await page.goBack();
    expect(await page.getByRole('link', { name: 'Sign out' }).count()).to.equal(1);
    expect((await page.goto(`${svc.url}/reports/2025-09-04.json`))?.status()).to.equal(200);

    // Signing out clears the cookie; the report is closed again.
    await page.goto(`${svc.url}/logout`);
    await page.waitForURL(`${svc.url}/login?signedOut=1`);
    expect(await page.locator('.notice').innerText()).to.equal('You are signed out.');
    expect(await context.cookies()).to.deep.equal([]);
    expect((await page.goto(`${svc.url}/reports/2025-09-04`))?.status()).to.equal(401);

    expect(urls.filter((u) => u.includes(TOKEN))).to.deep.equal([]);
    await context.close();
  });

  it('does not sign out when another site links or posts to /logout, until the operator clicks', async () => {
    // Another site: the same machine by another name is another site to the browser.
    const other = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><a id="link" href="${svc.url}/logout">cute cats</a>
<form id="form" method="post" action="${svc.url}/logout"><button>more cats</button></form>`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://localhost:${(other.address() as AddressInfo).port}/`;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${svc.url}/login`);
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${svc.url}/reports`);

      for (const planted of ['#link', '#form button']) {
        await page.goto(otherUrl);
        await page.locator(planted).click();
        await page.waitForURL(`${svc.url}/logout`);
        expect(await page.locator('.notice').innerText()).to.equal("Another page sent you here to sign out of livehook's reports.");
        expect((await context.cookies()).map((c) => c.name)).to.deep.equal(['livehook_session']);
      }
      // The operator's own click on the page's button signs out.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${svc.url}/login?signedOut=1`);
      expect(await context.cookies()).to.deep.equal([]);
    } finally {
      await context.close();
      await new Promise((r) => other.close(r));
    }
  });
});
