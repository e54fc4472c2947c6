import { expect } from 'chai';
import { expectedSign } from '../../src/http/auth';
import { fixture, startTestService, type TestService } from '../helpers/service';
import { signedQuery } from '../helpers/signing';

const BODY = fixture('destroy-room.production-capture.json');

describe('callback authentication', () => {
  it('computes the worked example from CALLBACKS.md', () => {
    expect(expectedSign('xxxxyyyy', '1669872112')).to.equal('17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061');
  });

  describe('open doors at start', () => {
    const warnings = (svc: TestService) => svc.logs.filter((l) => l.level === 'warn' && /^no (callback token|SdkAppid set|admin token)/.test(String(l.msg))).map((l) => String(l.msg));

    it('warns of each one left open: no callback token, no SdkAppid, no admin token', async () => {
      const svc = await startTestService({ onlyPlugins: ['logging'] });
      try {
        const said = warnings(svc);
        expect(said).to.have.length(3);
        expect(said[0]).to.match(/^no callback token: \/callback accepts unsigned callbacks .*LIVEHOOK_CALLBACK_TOKEN/);
        expect(said[1]).to.match(/^no SdkAppid set: .*LIVEHOOK_SDKAPPID/);
        expect(said[2]).to.match(/^no admin token: \/reports and \/metrics are open .*LIVEHOOK_ADMIN_TOKEN/);
      } finally {
        await svc.stop();
      }
    });

    it('says nothing when all three are set', async () => {
      const svc = await startTestService({
        onlyPlugins: ['logging'],
        env: { LIVEHOOK_CALLBACK_TOKEN: 'tok', LIVEHOOK_SDKAPPID: '1400000001', LIVEHOOK_ADMIN_TOKEN: 'admin-token-1' },
      });
      try {
        expect(warnings(svc)).to.deep.equal([]);
      } finally {
        await svc.stop();
      }
    });
  });

  describe('with LIVEHOOK_SDKAPPID set', () => {
    let svc: TestService;
    before(async () => {
      svc = await startTestService({ onlyPlugins: ['logging'], env: { LIVEHOOK_SDKAPPID: '1400000001, 1400000002' } });
    });
    after(() => svc.stop());

    it('matches the SdkAppid query key in any case', async () => {
      for (const key of ['SdkAppid', 'SdkAppId', 'sdkappid', 'SDKAPPID']) {
        const res = await svc.post(BODY, { [key]: '1400000002' });
        expect(res.status, key).to.equal(200);
      }
    });

    it('answers 403 for another SdkAppid, and for none', async () => {
      let res = await svc.post(BODY, { SdkAppid: '1499999999' });
      expect(res.status).to.equal(403);
      expect(res.body.ErrorInfo).to.contain('1499999999');
      res = await svc.post(BODY, {});
      expect(res.status).to.equal(403);
      expect(res.body.ErrorInfo).to.contain('SdkAppid');
    });
  });

  describe('with LIVEHOOK_CALLBACK_TOKEN set', () => {
    const token = 'xxxxyyyy';
    let svc: TestService;
    before(async () => {
      svc = await startTestService({ onlyPlugins: ['logging'], env: { LIVEHOOK_CALLBACK_TOKEN: token } });
    });
    after(() => svc.stop());

    it('accepts a correct Sign for a current RequestTime', async () => {
      const res = await svc.post(BODY, signedQuery(token, { SdkAppid: '1400000001' }));
      expect(res.status).to.equal(200);
    });

    it('accepts an uppercase Sign and case-varied keys', async () => {
      const q = signedQuery(token);
      const res = await svc.post(BODY, { requesttime: q.RequestTime, SIGN: q.Sign.toUpperCase() });
      expect(res.status).to.equal(200);
    });

    it('answers 401 for a missing Sign or RequestTime', async () => {
      const q = signedQuery(token);
      let res = await svc.post(BODY, { RequestTime: q.RequestTime });
      expect(res.status).to.equal(401);
      expect(res.body.ErrorInfo).to.contain('Sign');
      res = await svc.post(BODY, { Sign: q.Sign });
      expect(res.status).to.equal(401);
      expect(res.body.ErrorInfo).to.contain('RequestTime');
    });

    it('answers 401 for a wrong Sign', async () => {
      const q = signedQuery('another-token');
      const res = await svc.post(BODY, q);
      expect(res.status).to.equal(401);
      expect(res.body.ErrorInfo).to.match(/Sign does not match/);
    });

    it('logs a refusal for authentication, then at most a line a minute (a wrong token in the config shows, a flood does not)', async () => {
      const before = svc.logs.filter((l) => String(l.msg).includes('refused for authentication')).length;
      for (let i = 0; i < 5; i++) expect((await svc.post(BODY, signedQuery('another-token'))).status).to.equal(401);
      const said = svc.logs.filter((l) => String(l.msg).includes('refused for authentication')).slice(before);
      // This service refused a Sign already (the test before): its first line is out, the rest wait for the minute.
      expect(said.length).to.be.at.most(1);
      const first = svc.logs.filter((l) => String(l.msg).startsWith('callback refused for authentication: '));
      expect(first).to.have.length(1);
      expect(first[0]).to.include({ level: 'warn' });
      expect(String(first[0].msg)).to.contain('check the callback token and SDKAppIDs');
    });

    it('answers 401 for a RequestTime more than 60 s away (stale or from the future)', async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const [rt, words] of [
        [now - 61, /^RequestTime is 6[12] s old \(at most 60 s either way; auth\.maxClockSkewSeconds\): stale or replayed$/],
        [now + 61, /^RequestTime is 6[01] s ahead of this server's clock \(at most 60 s either way; auth\.maxClockSkewSeconds\): check this server's clock$/],
        [1669872112, /^RequestTime is \d+ s old/],
      ] as const) {
        const res = await svc.post(BODY, signedQuery(token, {}, rt));
        expect(res.status, String(rt)).to.equal(401);
        expect(res.body.ErrorInfo).to.match(words);
      }
      const fresh = await svc.post(BODY, signedQuery(token, {}, now - 50));
      expect(fresh.status).to.equal(200);
    });

    it('answers 500, not 400, when an invalid body cannot be kept: Tencent resends a 5xx, never a 4xx', async () => {
      const dead = await startTestService({ onlyPlugins: ['logging'], env: { LIVEHOOK_CALLBACK_TOKEN: token } });
      await dead.service.store.close(); // every write now fails
      try {
        const res = await dead.post('{not json', signedQuery(token));
        expect(res.status).to.equal(500);
        expect(res.body.ErrorInfo).to.match(/^the body is invalid \(malformed JSON.*\) but could not be kept for replay: .*; retry later$/).and.not.to.match(/retry later; retry later/);
      } finally {
        await dead.stop();
      }
    });

    it('does not quarantine bodies from unauthenticated requests', async () => {
      await svc.post('{not json', signedQuery('wrong'));
      expect(await svc.service.store.listQuarantine('held')).to.have.length(0);
      await svc.post('{not json', signedQuery(token));
      expect(await svc.service.store.listQuarantine('held')).to.have.length(1);
    });
  });
});
