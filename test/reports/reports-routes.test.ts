/** GET /reports routes over real HTTP (the service's Koa app on port 0), with and without the admin token. */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/http/app';
import { ReportsDir } from '../../src/reports/reports-dir';
import { WRONG_TOKEN_DELAY_MS } from '../../src/reports/admin-auth';
import { loginRouter } from '../../src/reports/login-routes';
import { reportsRouter } from '../../src/reports/reports-routes';
import { StoreBackedReports } from '../../src/reports/store-backed-reports';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { tempDir } from '../helpers/service';

describe('/reports routes', () => {
  let root: string;
  let reports: ReportsDir | StoreBackedReports;
  let server: http.Server | null = null;
  let url: string;

  /** The app's log lines, as JSON objects. */
  let logLines: Array<Record<string, unknown>> = [];
  async function serve(adminToken: string | null, options: { proxy?: boolean } = {}): Promise<void> {
    logLines = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    const app = createApp({ logger, proxy: options.proxy ?? false, routers: [loginRouter({ adminToken }), reportsRouter({ reports, adminToken })] });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const get = async (p: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${p}`, { headers, redirect: 'manual' });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
  };

  beforeEach(async () => {
    root = tempDir('livehook-routes-');
    reports = new ReportsDir(path.join(root, 'reports'));
    await reports.write('2025-09-03', { json: { date: '2025-09-03' }, html: '<!doctype html><title>3 Sep</title>' });
    await reports.write('2025-09-04', { json: { date: '2025-09-04', rooms: { destroyed: 2 } }, html: '<!doctype html><title>4 Sep</title>' });
  });
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = null;
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('without an admin token', () => {
    beforeEach(() => serve(null));

    it('lists the days as a page with links', async () => {
      const res = await get('/reports');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const list = res.text.slice(res.text.indexOf('<ul>'));
      expect(list).to.contain('<a href="/reports/2025-09-04">2025-09-04</a>');
      expect(list.indexOf('2025-09-04')).to.be.below(list.indexOf('2025-09-03'));
    });

    it('lists the days as JSON for Accept: application/json', async () => {
      const res = await get('/reports', { Accept: 'application/json' });
      expect(res.status).to.equal(200);
      expect(res.json()).to.deep.equal({
        reports: [
          { date: '2025-09-04', html: '/reports/2025-09-04', json: '/reports/2025-09-04.json' },
          { date: '2025-09-03', html: '/reports/2025-09-03', json: '/reports/2025-09-03.json' },
        ],
      });
    });

    it('serves a day as a page that may load nothing from elsewhere, and as data', async () => {
      const page = await get('/reports/2025-09-04');
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).to.contain("default-src 'none'");
      expect(page.text).to.equal('<!doctype html><title>4 Sep</title>');
      const data = await get('/reports/2025-09-04.json');
      expect(data.status).to.equal(200);
      expect(data.headers.get('content-type')).to.match(/^application\/json/);
      expect(data.json()).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 2 } });
    });

    it('answers 404 with the FAIL envelope for a day with no report', async () => {
      for (const p of ['/reports/2025-09-05', '/reports/2025-09-05.json']) {
        const res = await get(p);
        expect(res.status, p).to.equal(404);
        expect(res.json()).to.deep.equal({
          ActionStatus: 'FAIL',
          ErrorCode: 40401,
          ErrorInfo: 'no report for 2025-09-05: it has not been built (`livehook report --date 2025-09-05` builds it); GET /reports lists the days that have one',
        });
      }
    });

    it('answers 400 with the FAIL envelope for a malformed date', async () => {
      for (const p of ['/reports/yesterday', '/reports/2025-13-01', '/reports/2025-02-30.json', '/reports/2025-09-04.xml', '/reports/%2e%2e%2fsecret']) {
        const res = await get(p);
        expect(res.status, p).to.equal(400);
        const body = res.json();
        expect(body.ActionStatus).to.equal('FAIL');
        expect(body.ErrorCode).to.equal(40006);
        expect(body.ErrorInfo).to.contain('use /reports/YYYY-MM-DD');
      }
      // A long name is repeated only in part.
      const long = await get(`/reports/${'A'.repeat(15_000)}`);
      expect(long.status).to.equal(400);
      expect(long.json().ErrorInfo).to.match(/^"A{100}… \(15000 characters in all\)" is not a report name/);
      expect(long.text.length).to.be.below(600);
    });

    it('draws the trend of the last 30 days above the list: rooms closed, gift coins and share closed by the system, each day linked', async () => {
      // 40 days of reports, one day missing: the chart shows the last 30, the gap blank.
      const report = (date: string, destroyed: number, coins: number, share: number) => ({ date, rooms: { destroyed, closedBySystemShare: share }, totals: { TotalGiftCoins: coins } });
      fs.rmSync(reports.dir, { recursive: true });
      const day = (i: number) => new Date(Date.UTC(2025, 7, 1 + i)).toISOString().slice(0, 10); // 2025-08-01 + i
      for (let i = 0; i < 40; i++) {
        if (day(i) === '2025-09-05') continue;
        await reports.write(day(i), { json: report(day(i), 10 + i, 1000 * i, i % 2 === 0 ? 0.25 : 0.5), html: '<!doctype html>' });
      }
      const res = await get('/reports');
      expect(res.status).to.equal(200);
      const svg = /<svg class="trend"[\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '';
      expect(svg).to.contain('aria-label="Rooms closed, gift coins and share closed by the system per day, 2025-08-11 to 2025-09-09"');
      const linked = [...svg.matchAll(/<a class="day" href="\/reports\/(\d{4}-\d{2}-\d{2})">/g)].map((m) => m[1]);
      const expected = Array.from({ length: 30 }, (_, i) => day(10 + i)).filter((d) => d !== '2025-09-05');
      expect(linked).to.deep.equal(expected);
      expect(svg.match(/<rect class="bar destroyed"/g)).to.have.length(29);
      expect(svg.match(/<rect class="bar giftCoins"/g)).to.have.length(29);
      expect(svg.match(/<circle class="share"/g)).to.have.length(29);
      expect(svg).to.contain('<title>2025-09-09: 49 rooms closed, 39,000 gift coins, 50% closed by the system</title>');
      // Taller bars for more rooms: the last day's bar is the tallest.
      const heights = [...svg.matchAll(/<rect class="bar destroyed" data-date="([\d-]+)"[^>]*height="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
      expect(heights.reduce((a, b) => (b[1] > a[1] ? b : a))[0]).to.equal('2025-09-09');
      // The list below still names every day.
      expect(res.text.slice(res.text.indexOf('<ul>')).match(/<li>/g)).to.have.length(39);
    });

    it('leaves a gap for a day whose stored figures are no counts (negative, past any real count), and still answers', async () => {
      // Any plugin granted "reports" can store any number; 1.7e308 once hung the page and the service.
      await reports.write('2025-09-05', { json: { date: '2025-09-05', rooms: { destroyed: 3, closedBySystemShare: 0.5 }, totals: { TotalGiftCoins: 1.7e308 } }, html: '<!doctype html>' });
      await reports.write('2025-09-06', { json: { date: '2025-09-06', rooms: { destroyed: -5, closedBySystemShare: -3 }, totals: { TotalGiftCoins: 10 } }, html: '<!doctype html>' });
      await reports.write('2025-09-07', { json: { date: '2025-09-07', rooms: { destroyed: 4, closedBySystemShare: 0.25 }, totals: { TotalGiftCoins: 900 } }, html: '<!doctype html>' });
      const res = await get('/reports');
      expect(res.status).to.equal(200);
      const svg = /<svg class="trend"[\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '';
      const linked = [...svg.matchAll(/<a class="day" href="\/reports\/(\d{4}-\d{2}-\d{2})">/g)].map((m) => m[1]);
      expect(linked).to.deep.equal(['2025-09-07']);
      expect(svg).not.to.match(/height="-|NaN|Infinity/);
      expect(res.text.slice(res.text.indexOf('<ul>')).match(/<li>/g)).to.have.length(5);
    });

    it('shows an empty list with a hint', async () => {
      fs.rmSync(reports.dir, { recursive: true });
      const res = await get('/reports');
      expect(res.text).to.contain('No reports yet');
      expect((await get('/reports', { Accept: 'application/json' })).json()).to.deep.equal({ reports: [] });
    });
  });

  describe('served from the store (the service\'s reports)', () => {
    let store: Store;
    beforeEach(async () => {
      store = await openStore({ dataDir: root });
      // Another instance (its own data dir) built this day; this one has no file of it.
      const other = new StoreBackedReports({ store, dir: path.join(root, 'other', 'reports'), logger: pino({ level: 'silent' }) });
      await other.write('2025-09-06', { json: { date: '2025-09-06', owner: '144115216631667826' }, html: '<!doctype html><title>6 Sep</title>' });
      reports = new StoreBackedReports({ store, dir: path.join(root, 'reports'), logger: pino({ level: 'silent' }) });
      await serve(null);
    });
    afterEach(() => store.close());

    it('lists and serves every day in the store, and the days of the local files it found', async () => {
      const list = await get('/reports', { Accept: 'application/json' });
      expect(list.json().reports.map((r: { date: string }) => r.date)).to.deep.equal(['2025-09-06', '2025-09-04', '2025-09-03']);
      const page = await get('/reports/2025-09-06');
      expect(page.status).to.equal(200);
      expect(page.text).to.equal('<!doctype html><title>6 Sep</title>');
      expect(page.headers.get('content-security-policy')).to.contain("default-src 'none'");
      const data = await get('/reports/2025-09-06.json');
      expect(data.headers.get('content-type')).to.match(/^application\/json/);
      // The same text as the file the building instance wrote.
      expect(data.text).to.equal(fs.readFileSync(path.join(root, 'other', 'reports', '2025-09-06.json'), 'utf8'));
      expect((await get('/reports/2025-09-04.json')).json()).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 2 } });
      expect((await get('/reports/2025-09-05.json')).status).to.equal(404);
    });
  });

  describe('when the store fails under a report route', () => {
    let store: Store;
    beforeEach(async () => {
      store = await openStore({ dataDir: root });
      reports = new StoreBackedReports({ store, dir: path.join(root, 'reports'), logger: pino({ level: 'silent' }) });
      await reports.list();
      await store.close(); // every read from now on fails inside livehook
      await serve(null);
    });

    it('goes through the app\'s error handler: logged once with the path, answered 500 with the FAIL envelope', async () => {
      for (const p of ['/reports', '/reports/2025-09-04', '/reports/2025-09-04.json']) {
        logLines = [];
        const res = await get(p);
        expect(res.status, p).to.equal(500);
        expect(res.json(), p).to.deep.equal({ ActionStatus: 'FAIL', ErrorCode: 50001, ErrorInfo: `the SQLite store ${path.join(root, 'livehook.db')} is closed` });
        const failed = logLines.filter((l) => l.msg === 'request failed inside livehook');
        expect(failed, p).to.have.length(1);
        expect(failed[0]).to.include({ level: 50, path: p, method: 'GET' });
        expect((failed[0].err as { message: string }).message).to.contain('is closed');
      }
    });

    it('answers a browser with the same words as a page', async () => {
      const res = await get('/reports/2025-09-04', { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
      expect(res.status).to.equal(500);
      expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(res.text).to.contain('<h1>Something went wrong</h1>').and.contain('is closed').and.contain('ErrorCode 50001');
      expect(logLines.filter((l) => l.msg === 'request failed inside livehook')).to.have.length(1);
    });
  });

  describe('with an admin token', () => {
    const token = 's3cret-admin-token';
    beforeEach(() => serve(token));

    it('refuses every route without the token (401, FAIL envelope, WWW-Authenticate)', async () => {
      for (const p of ['/reports', '/reports/2025-09-04', '/reports/2025-09-04.json', '/reports/2025-09-05', '/reports/nonsense']) {
        const res = await get(p);
        expect(res.status, p).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.contain('Bearer');
        expect(res.json()).to.deep.equal({ ActionStatus: 'FAIL', ErrorCode: 40101, ErrorInfo: 'this route needs the admin token: send "Authorization: Bearer <LIVEHOOK_ADMIN_TOKEN>", or sign in at /login in a browser' });
      }
    });

    it('refuses a wrong token, a token of another scheme, and a prefix of the token', async () => {
      for (const auth of [`Bearer wrong`, `Basic ${token}`, `Bearer ${token.slice(0, -1)}`, `Bearer ${token}x`, 'Bearer']) {
        const res = await get('/reports/2025-09-04', { Authorization: auth });
        expect(res.status, auth).to.equal(401);
        expect(res.text).not.to.contain('4 Sep');
        expect(res.text).not.to.contain(token);
      }
    });

    it('serves everything with the right token', async () => {
      const auth = { Authorization: `Bearer ${token}` };
      expect((await get('/reports', auth)).status).to.equal(200);
      expect((await get('/reports/2025-09-04', auth)).text).to.contain('4 Sep');
      expect((await get('/reports/2025-09-04.json', auth)).json()).to.have.property('date', '2025-09-04');
      expect((await get('/reports/2025-09-05', auth)).status).to.equal(404);
      expect((await get('/reports/bad', { authorization: `bearer ${token}` })).status).to.equal(400);
      // Kept by no shared cache: what is behind the token is one reader's.
      for (const p of ['/reports', '/reports/2025-09-04', '/reports/2025-09-04.json']) expect((await get(p, auth)).headers.get('cache-control'), p).to.equal('private, no-cache');
      // Refusals and a day not built yet too: a cache must not keep the 404 past the day's build.
      expect((await get('/reports/2025-09-05', auth)).headers.get('cache-control')).to.equal('private, no-cache');
      expect((await get('/reports/2025-09-04')).headers.get('cache-control')).to.equal('private, no-cache');
    });
  });

  describe('signing in with the admin token (browser session)', () => {
    const token = 's3cret-admin-token';
    const post = async (p: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
      const started = Date.now();
      const res = await fetch(`${url}${p}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' });
      return { status: res.status, text: await res.text(), headers: res.headers, ms: Date.now() - started };
    };
    /** The name=value part of the session cookie a response set. */
    const sessionOf = (headers: Headers) => headers.getSetCookie().find((c) => c.startsWith('livehook_session='))!.split(';')[0];

    it('shows a form that posts the token in the body, never in the URL', async () => {
      await serve(token);
      const res = await get('/login');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.text).to.contain('<form method="post" action="/login">').and.contain('name="token" type="password"');
      expect(res.headers.get('content-security-policy')).to.contain("form-action 'self'");
    });

    it('sets an HttpOnly, SameSite=Strict, expiring cookie for the right token, which the report routes accept', async () => {
      await serve(token);
      const res = await post('/login', { token, next: '/reports/2025-09-04' });
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal('/reports/2025-09-04');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('livehook_session='))!;
      expect(cookie).to.match(/; path=\//).and.match(/; httponly/).and.match(/; samesite=strict/).and.match(/; expires=/);
      expect(cookie).not.to.match(/; secure/); // plain http
      expect(cookie).not.to.contain(token);
      const expires = Date.parse(/expires=([^;]+)/.exec(cookie)![1]);
      expect(expires - Date.now()).to.be.within(12 * 3600_000 - 60_000, 12 * 3600_000 + 1000);
      const session = sessionOf(res.headers);
      expect((await get('/reports/2025-09-04', { Cookie: session })).text).to.contain('4 Sep');
      expect((await get('/reports/2025-09-04.json', { Cookie: session })).json()).to.have.property('date', '2025-09-04');
      expect((await get('/reports', { Cookie: session })).status).to.equal(200);
      // A next that leads elsewhere is not followed.
      for (const next of ['https://evil.example/', '//evil.example', '/metrics', '/reports/../metrics']) {
        expect((await post('/login', { token, next })).headers.get('location'), next).to.equal('/reports');
      }
    });

    it('answers a wrong token 401 after the same fixed delay, whatever its length, and sets no cookie', async () => {
      await serve(token);
      for (const wrong of ['x', 's3cret-admin-tokem', 's3cret-admin-token-and-more', 'y'.repeat(2000)]) {
        const res = await post('/login', { token: wrong }, { Accept: 'application/json' });
        expect(res.status, wrong).to.equal(401);
        expect(JSON.parse(res.text)).to.deep.equal({ ActionStatus: 'FAIL', ErrorCode: 40101, ErrorInfo: 'wrong admin token: the form field "token" does not match LIVEHOOK_ADMIN_TOKEN' });
        expect(res.headers.getSetCookie(), wrong).to.deep.equal([]);
        expect(res.ms, wrong).to.be.within(WRONG_TOKEN_DELAY_MS - 5, WRONG_TOKEN_DELAY_MS + 400);
      }
      // A browser gets the form again, with the words.
      const page = await post('/login', { token: 'wrong-token' }, { Accept: 'text/html' });
      expect(page.status).to.equal(401);
      expect(page.text).to.contain('Wrong admin token.').and.contain('<form method="post" action="/login">');
      // A wrong bearer token waits as long.
      const started = Date.now();
      expect((await get('/reports', { Authorization: 'Bearer wrong-token' })).status).to.equal(401);
      expect(Date.now() - started).to.be.at.least(WRONG_TOKEN_DELAY_MS - 5);
    });

    it('refuses an empty token field with 400 naming the field', async () => {
      await serve(token);
      const res = await post('/login', { token: '' }, { Accept: 'application/json' });
      expect(res.status).to.equal(400);
      expect(JSON.parse(res.text)).to.deep.equal({ ActionStatus: 'FAIL', ErrorCode: 40008, ErrorInfo: 'the form field "token" is empty: post token=<LIVEHOOK_ADMIN_TOKEN> as application/x-www-form-urlencoded' });
    });

    it('still takes the bearer header, and refuses a forged, altered or other token\'s cookie', async () => {
      await serve(token);
      expect((await get('/reports/2025-09-04', { Authorization: `Bearer ${token}` })).text).to.contain('4 Sep');
      const session = sessionOf((await post('/login', { token })).headers);
      const [name, value] = session.split('=');
      const [expires, sig] = value.split('.');
      const later = String(Number(expires) + 3600);
      const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
      for (const cookie of [`${name}=${later}.${sig}`, `${name}=${expires}.${flipped}`, `${name}=${expires}`, `${name}=${token}`]) {
        const res = await get('/reports/2025-09-04', { Cookie: cookie });
        expect(res.status, cookie).to.equal(401);
        expect(res.json().ErrorInfo).to.contain('sign in again at /login');
      }
      // Another admin token, another key: a restart with a new token signs everyone out.
      await new Promise((r) => server!.close(r));
      await serve('another-admin-token');
      expect((await get('/reports', { Cookie: session })).status).to.equal(401);
    });

    it('marks the cookie Secure when the request came over https through a trusted proxy', async () => {
      await serve(token, { proxy: true });
      const res = await post('/login', { token }, { 'X-Forwarded-Proto': 'https' });
      expect(res.status).to.equal(303);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('livehook_session='))).to.match(/; secure/);
      // Without the proxy setting the header is not believed.
      await new Promise((r) => server!.close(r));
      await serve(token);
      const plain = await post('/login', { token }, { 'X-Forwarded-Proto': 'https' });
      expect(plain.headers.getSetCookie().find((c) => c.startsWith('livehook_session='))).not.to.match(/; secure/);
    });

    it('clears the cookie on /logout', async () => {
      await serve(token);
      const session = sessionOf((await post('/login', { token })).headers);
      const out = await get('/logout', { Cookie: session });
      expect(out.status).to.equal(303);
      expect(out.headers.get('location')).to.equal('/login?signedOut=1');
      const cleared = out.headers.getSetCookie().find((c) => c.startsWith('livehook_session='))!;
      expect(cleared).to.match(/^livehook_session=;/).and.match(/expires=Thu, 01 Jan 1970/);
      expect((await post('/logout', {}, { Cookie: session })).status).to.equal(303);
    });

    it('asks for a click before signing out when another site sent the browser to /logout', async () => {
      await serve(token);
      const session = sessionOf((await post('/login', { token })).headers);
      for (const headers of [{ 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }]) {
        const res = await get('/logout', { Cookie: session, Accept: 'text/html', ...headers });
        expect(res.status).to.equal(200);
        expect(res.headers.getSetCookie()).to.deep.equal([]);
        expect(res.text).to.contain('Another page sent you here').and.contain('<form method="post" action="/logout">');
        expect((await post('/logout', {}, { Cookie: session, ...headers })).headers.getSetCookie()).to.deep.equal([]);
      }
      // A browser without Sec-Fetch-Site still sends Origin with a POST.
      expect((await post('/logout', {}, { Cookie: session, Origin: 'https://evil.example' })).headers.getSetCookie()).to.deep.equal([]);
      expect((await post('/logout', {}, { Cookie: session, Origin: 'null' })).headers.getSetCookie()).to.deep.equal([]);
      // The page's own button, a typed URL, and our own link sign out at once.
      const ours: Array<Record<string, string>> = [{ 'Sec-Fetch-Site': 'same-origin' }, { 'Sec-Fetch-Site': 'none' }, { Origin: url }];
      for (const headers of ours) {
        const out = await post('/logout', {}, { Cookie: session, ...headers });
        expect(out.status).to.equal(303);
        expect(out.headers.getSetCookie().find((c) => c.startsWith('livehook_session='))).to.match(/^livehook_session=;/);
      }
    });

    it('sends a browser without a session to a page that links to the sign-in form', async () => {
      await serve(token);
      const res = await get('/reports/2025-09-04', { Accept: 'text/html' });
      expect(res.status).to.equal(401);
      expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(res.text).to.contain('<a href="/login?next=%2Freports%2F2025-09-04">Sign in</a>');
    });

    it('has no sign-in without an admin token', async () => {
      await serve(null);
      const res = await get('/login');
      expect(res.status).to.equal(404);
      expect(res.json().ErrorInfo).to.contain('no admin token is set (LIVEHOOK_ADMIN_TOKEN)');
    });
  });
});
