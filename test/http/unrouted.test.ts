/**
 * A request no route answers gets the envelope with words: 404 for a path
 * livehook does not serve, 405 and an Allow header for a method a known path
 * does not take (POST /healthz used to be a 404, as if the path were wrong).
 */
import { expect } from 'chai';
import { startTestService, type TestService } from '../helpers/service';

describe('requests no route answers', function () {
  this.timeout(30_000);
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: ['logging'], env: { LIVEHOOK_ADMIN_TOKEN: 'admin-secret-token' } });
  });
  after(() => svc.stop());

  const send = async (method: string, pathname: string) => {
    const res = await fetch(`${svc.url}${pathname}`, { method });
    const text = await res.text();
    return { status: res.status, allow: res.headers.get('allow'), text, body: text ? JSON.parse(text) : null };
  };

  it('answers 404 naming the method and the path, at most 100 characters of it', async () => {
    const res = await send('GET', '/nowhere');
    expect(res.status).to.equal(404);
    expect(res.body).to.include({ ActionStatus: 'FAIL', ErrorInfo: 'no route for GET /nowhere' });
    const long = await send('GET', `/${'a'.repeat(15_000)}`);
    expect(long.status).to.equal(404);
    expect(long.body.ErrorInfo).to.equal(`no route for GET /${'a'.repeat(99)}… (15001 characters in all)`);
  });

  it('answers 405 on a known path, naming the methods it takes', async () => {
    for (const [method, pathname] of [['POST', '/healthz'], ['DELETE', '/readyz'], ['PUT', '/metrics'], ['POST', '/reports'], ['PROPFIND', '/healthz']]) {
      const res = await send(method, pathname);
      expect(res.status, `${method} ${pathname}`).to.equal(405);
      expect(res.allow, `${method} ${pathname}`).to.equal('HEAD, GET');
      expect(res.body).to.include({ ActionStatus: 'FAIL', ErrorInfo: `method ${method} is not allowed on ${pathname}: use HEAD or GET` });
    }
    const login = await send('DELETE', '/login');
    expect(login.body.ErrorInfo).to.equal('method DELETE is not allowed on /login: use HEAD, GET or POST');
  });

  it('answers OPTIONS on a known path with the methods it takes, /callback too', async () => {
    const res = await send('OPTIONS', '/healthz');
    expect(res.status).to.equal(200);
    expect(res.allow).to.equal('HEAD, GET');
    const callback = await send('OPTIONS', '/callback');
    expect(callback.status).to.equal(200);
    expect(callback.allow).to.equal('POST');
  });

  it('still says how to call /callback, which takes POST only', async () => {
    const res = await send('GET', '/callback');
    expect(res.status).to.equal(405);
    expect(res.body.ErrorInfo).to.equal('method GET is not allowed on /callback: use POST');
  });
});
