/**
 * The report page as a person sees it: built by the plugin from real
 * records, served by the /reports route over real HTTP, opened in headless
 * Chromium (Debian's `chromium`), with a screenshot in which the chart is drawn.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../../src/http/app';
import { ReportsDir } from '../../../src/reports/reports-dir';
import { reportsRouter } from '../../../src/reports/reports-routes';
import { destroyRoom, localInstant, removeDir, startRollup, type Rollup } from './harness';
import { tempDir } from '../../helpers/service';

const CHROMIUM = '/usr/bin/chromium';
const TZ = 'Asia/Shanghai';

describe('stats-rollup: the report page in Chromium', function () {
  this.timeout(60_000);
  let rollup: Rollup;
  let server: http.Server;
  let url: string;
  let browser: Browser;
  let shots: string;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    // keepDays: the empty 2025 day below is otherwise refused as older than the rooms kept.
    rollup = await startRollup({ timezone: TZ, options: { keepDays: 36_500 } });
    // The day before, for the deltas.
    for (let i = 0; i < 5; i++) await rollup.deliver(destroyRoom(localInstant(TZ, `2025-09-03T1${i}:00:00.000`), { statistic: { TotalViewers: 100, TotalGiftCoins: 500 } }));
    // The day: more rooms in the evening, a third closed by the system, some without statistics.
    let n = 0;
    for (let hour = 0; hour < 24; hour++) {
      const rooms = 1 + Math.round(6 * Math.sin((Math.PI * hour) / 24) ** 2) + (hour >= 19 ? 4 : 0);
      for (let j = 0; j < rooms; j++, n++) {
        await rollup.deliver(destroyRoom(localInstant(TZ, `2025-09-04T${String(hour).padStart(2, '0')}:${String(j * 5).padStart(2, '0')}:00.000`), {
          roomName: n % 7 === 0 ? '夏季40度 <b>hot</b>' : `Evening show #${n}`,
          eventType: n % 3 === 0 ? 'DestroyBySystem' : 'DestroyByUser',
          statistic: n % 11 === 0 ? null : { TotalViewers: (n * 37) % 900, TotalGiftCoins: (n * 131) % 5000, TotalLikesReceived: n * 3 },
        }));
      }
    }
    // The day's most watched room has a long name without a space, as real ones do.
    await rollup.deliver(destroyRoom(localInstant(TZ, '2025-09-04T21:30:00.000'), { roomName: '【官方直播】夏日狂欢节超长房间名称没有空格LiveShowWithAVeryLongNameAndNoSpaces', statistic: { TotalViewers: 12_345_678, TotalGiftCoins: 987_654_321, TotalLikesReceived: 4_321_000 } }));
    await rollup.build('2025-09-03');
    await rollup.build('2025-09-04');

    const app = createApp({ logger: pino({ level: 'silent' }), proxy: false, routers: [reportsRouter({ reports: new ReportsDir(path.join(rollup.dataDir, 'reports')), adminToken: null })] });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    shots = tempDir('livehook-report-shots-');
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise((r) => server.close(r));
    if (rollup) {
      await rollup.close();
      removeDir(rollup.dataDir);
    }
  });

  it('draws the per-hour chart, the totals and the top rooms, loading nothing from elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    const response = await page.goto(`${url}/reports/2025-09-04`);
    expect(response?.status()).to.equal(200);

    expect(await page.title()).to.equal('Rooms closed on 2025-09-04 · livehook');
    expect(await page.locator('h1').innerText()).to.equal('Rooms closed on Thursday, 4 September 2025');

    // One or two bars per hour, each really drawn (non-zero size on screen).
    const bars = page.locator('svg.chart rect.bar');
    const count = await bars.count();
    expect(count).to.be.greaterThan(24);
    const hours = new Set<string>();
    for (let i = 0; i < count; i++) {
      const box = await bars.nth(i).boundingBox();
      expect(box, `bar ${i}`).to.not.equal(null);
      expect(box!.width).to.be.greaterThan(2);
      expect(box!.height).to.be.greaterThan(0);
      hours.add((await bars.nth(i).getAttribute('data-hour'))!);
    }
    expect(hours.size).to.equal(24);
    // The evening hours (more rooms) have taller stacks than the small hours.
    const stack = async (h: number) => (await page.locator(`rect.bar[data-hour="${h}"]`).evaluateAll((els) => els.reduce((s, e) => s + e.getBoundingClientRect().height, 0)));
    expect(await stack(20)).to.be.greaterThan(await stack(1));

    const report = rollup.report('2025-09-04');
    const cards = await page.locator('.card').allInnerTexts();
    expect(cards[0]).to.contain('ROOMS CLOSED').and.contain(String(report.rooms.destroyed)).and.contain('vs Wed 3 Sep');
    const cardValue = (title: string) => page.locator('.card', { has: page.locator('h3', { hasText: title }) }).locator('.value').innerText();
    expect(await cardValue('Without statistics')).to.equal(String(report.rooms.withoutStatistic));
    expect(await cardValue('Viewers')).to.equal(report.totals.TotalViewers.toLocaleString('en-US'));
    expect(await page.locator('.tops table').count()).to.equal(2);
    expect(await page.locator('.tops table').first().locator('tbody tr').count()).to.equal(10);
    // The room name is shown as text, not as markup.
    expect(await page.locator('.tops').innerText()).to.contain('夏季40度 <b>hot</b>');
    expect(await page.locator('.tops b').count()).to.equal(0);

    expect(requests).to.deep.equal([`${url}/reports/2025-09-04`]);

    const file = path.join(shots, 'report-2025-09-04.png');
    const png = await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).to.be.greaterThan(10_000);

    // Decode the screenshot in the browser and count the chart's colours.
    const decoder = await browser.newPage();
     
    const colours = await decoder.evaluate(async (b64) => {
      const { createImageBitmap, OffscreenCanvas } = globalThis as any;
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const distinct = new Set<number>();
      let user = 0;
      let system = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        distinct.add((r << 16) | (g << 8) | b);
        if (Math.abs(r - 0x3b) < 6 && Math.abs(g - 0x82) < 6 && Math.abs(b - 0xc4) < 6) user++;
        if (Math.abs(r - 0xe8) < 6 && Math.abs(g - 0x83) < 6 && Math.abs(b - 0x3a) < 6) system++;
      }
      return { distinct: distinct.size, user, system };
    }, png.toString('base64'));
     
    expect(colours.distinct).to.be.greaterThan(50);
    expect(colours.user).to.be.greaterThan(2000); // blue bars: rooms closed by their owner
    expect(colours.system).to.be.greaterThan(1000); // orange bars: rooms closed by the system
    console.log(`      screenshot: ${file}`);
  });

  it('reads on a phone: no sideways scrolling, a room column wide enough to read, chart labels of a readable size', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    for (const route of ['/reports/2025-09-04', '/reports']) {
      await page.goto(`${url}${route}`);
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth), `${route} scrolls sideways`).to.be.at.most(390);
      // The SVG's 11 px labels, as drawn on the screen (a chart squeezed to the width shrinks them).
      const ticks = await page.locator('svg .tick').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
      expect(ticks.length, route).to.be.greaterThan(0);
      expect(Math.min(...ticks), `${route}: chart labels`).to.be.at.least(9);
    }
    await page.goto(`${url}/reports/2025-09-04`);
    const names = await page.locator('.tops tbody td:nth-child(2)').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(Math.min(...names), 'the room column').to.be.at.least(200);
    // Every figure of a row is still there, named.
    const first = await page.locator('.tops table').first().locator('tbody tr').first().locator('td').evaluateAll((tds) =>
      tds.map((td) => `${(globalThis as any).getComputedStyle(td, '::before').content.replace(/^none$/, '')} ${(td as any).innerText}`.trim()),
    );
    expect(first[1]).to.contain('LiveShowWithAVeryLongNameAndNoSpaces');
    expect(first.slice(3)).to.deep.equal(['"Viewers" 12,345,678', '"Gift coins" 987,654,321', '"Likes" 4,321,000']);
    await page.screenshot({ path: path.join(shots, 'report-2025-09-04-phone.png'), fullPage: true });
    console.log(`      screenshot: ${path.join(shots, 'report-2025-09-04-phone.png')}`);
    await page.close();
  });

  it('shows the list of days and an empty chart for a day without rooms', async () => {
    await rollup.build('2025-09-10');
    const page = await browser.newPage();
    await page.goto(`${url}/reports`);
    expect(await page.locator('li a:not(.raw)').allInnerTexts()).to.deep.equal(['2025-09-10', '2025-09-04', '2025-09-03']);
    await page.goto(`${url}/reports/2025-09-10`);
    expect(await page.locator('svg.chart rect.bar').count()).to.equal(0);
    expect(await page.locator('svg.chart').textContent()).to.contain('No room closed this day');
    await page.screenshot({ path: path.join(shots, 'report-2025-09-10-empty.png'), fullPage: true });
  });
});
