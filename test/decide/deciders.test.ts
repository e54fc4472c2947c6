import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, type TestService } from '../helpers/service';
import { readRecords, writePlugin } from '../helpers/plugin-files';
import { parseSamples, valueOf } from '../metrics/prom-text';
import { deciderPlugin, gift as giftBody } from './decider-plugin';

const QUERY = { SdkAppid: '1400000001' };
const BUDGET_MS = 600;
const RESERVE_MS = 100;

/** Each decider reads its part of GiftId ("first.second"): what it should do with this gift. */
const BEHAVIOUR = (index: number) => `
    switch (String((event.body.GiftWater as { GiftId: string }).GiftId).split('.')[${index}]) {
      case 'reject': return reject();
      case 'app': return reject({ code: 102150, info: '今日送礼已达上限', reason: 'test-cap' });
      case 'throw': throw new Error('the decider broke');
      case 'hang': return new Promise(() => undefined);
      case 'junk': return { verdict: 'maybe' } as never;
      case 'long': return reject({ code: 102150, info: 'x'.repeat(1_001) });
      case 'emoji': return reject({ code: 102150, info: '🎁'.repeat(1_000) });
      case 'surrogate': return reject({ code: 102150, info: 'half of a pair: \\ud800' });
      default: return allow();
    }`;

let seconds = 1_703_589_000;
/** A gift whose deciders behave as `plan` says ("allow.reject"); each call is a new callback. */
function gift(plan: string): string {
  seconds += 1;
  return giftBody({ time: seconds, giftId: plan });
}

function writeDeciders(): string {
  const dir = tempDir('livehook-deciders-');
  writePlugin(dir, 'first', 'index.ts', deciderPlugin('first', BEHAVIOUR(0)));
  writePlugin(dir, 'second', 'index.ts', deciderPlugin('second', BEHAVIOUR(1)));
  return dir;
}

async function startWith(onError: 'allow' | 'reject', out: string, pluginsDir: string): Promise<TestService> {
  return startTestService({
    pluginsDir,
    config: { plugins: { order: ['first', 'second'] }, decisions: { budgetMs: BUDGET_MS, storeReserveMs: RESERVE_MS, onError } },
    plugins: {
      first: { enabled: true, capabilities: ['fs'], out },
      second: { enabled: true, capabilities: ['fs'], out },
    },
  });
}

describe('before-callbacks: deciding plugins answer Live.CallbackBeforeSendGift', () => {
  let out: string;
  let svc: TestService;
  let pluginsDir: string;

  before(async () => {
    pluginsDir = writeDeciders();
    out = path.join(tempDir(), 'calls.jsonl');
    svc = await startWith('allow', out, pluginsDir);
  });
  after(() => svc.stop());

  const decidedBy = (id: string) => readRecords(out).filter((r) => r.hook === 'decide' && r.id === id).map((r) => r.plugin);

  async function send(plan: string) {
    const started = Date.now();
    const res = await svc.post(gift(plan), QUERY);
    return { ...res, ms: Date.now() - started };
  }

  it('lets the gift through (ErrorCode 0) when every decider allows, and hands the event with its decision to handle', async () => {
    const res = await send('allow.allow');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    await svc.waitForIdle();
    const handled = readRecords(out).filter((r) => r.hook === 'handle');
    expect(handled.map((r) => r.plugin).sort()).to.deep.equal(['first', 'second']);
    expect(handled[0].decision).to.include({ verdict: 'allow', code: 0, by: 'deciders', plugin: null, budgetExceeded: false });
    expect(decidedBy(handled[0].id)).to.deep.equal(['first', 'second']);
  });

  it('refuses with ErrorCode 1 on a plain rejection, and asks no decider after it', async () => {
    const res = await send('reject.allow');
    expect(res.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 1 });
    await svc.waitForIdle();
    const handled = readRecords(out).filter((r) => r.hook === 'handle').pop()!;
    expect(handled.decision).to.include({ verdict: 'reject', code: 1, plugin: 'first', reason: 'first' });
    expect(decidedBy(handled.id)).to.deep.equal(['first']);
  });

  it('passes an app code and its text to Tencent exactly', async () => {
    const res = await send('app.allow');
    expect(res.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '今日送礼已达上限', ErrorCode: 102150 });
  });

  it('answers the first rejection in config order', async () => {
    expect((await send('allow.app')).body.ErrorCode).to.equal(102150);
    expect((await send('reject.app')).body.ErrorCode).to.equal(1);
  });

  it('skips a decider that throws or answers something that is not a decision, logs it, and answers with the onError policy (allow)', async () => {
    const thrown = await send('throw.allow');
    expect(thrown.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const junk = await send('junk.allow');
    expect(junk.body.ErrorCode).to.equal(0);
    const skipped = svc.logs.filter((l) => l.hook === 'decide' && l.plugin === 'first');
    expect(skipped.map((l) => String(l.msg))).to.satisfy((msgs: string[]) => msgs.some((m) => m.includes('the decider broke')) && msgs.some((m) => m.includes('"maybe"')));
    await svc.waitForIdle();
    const handled = readRecords(out).filter((r) => r.hook === 'handle' && r.plugin === 'second').slice(-2);
    expect(handled[0].decision).to.include({ verdict: 'allow', by: 'onError' });
    expect(handled[0].decision.failures[0].plugin).to.equal('first');
  });

  it('answers within the budget when a decider hangs, still asks the next one, and records that the budget ran out', async () => {
    const res = await send('hang.reject');
    expect(res.ms).to.be.below(BUDGET_MS + 200);
    // the second decider got its own share and its rejection is the answer
    expect(res.body.ErrorCode).to.equal(1);
    await svc.waitForIdle();
    const handled = readRecords(out).filter((r) => r.hook === 'handle' && r.plugin === 'first').pop()!;
    expect(handled.decision).to.include({ verdict: 'reject', plugin: 'second', budgetExceeded: true });
    expect(handled.decision.failures[0].error).to.match(/timed out after \d+ ms|did not decide within/);
  });

  it('never delays an after-callback while a decider hangs', async () => {
    const hanging = send('hang.hang');
    const started = Date.now();
    const destroy = await svc.post(fixture('destroy-room.seed-example.json').replace('1703589922780', String(Date.now())), QUERY);
    expect(destroy.status).to.equal(200);
    expect(Date.now() - started).to.be.below(BUDGET_MS / 2);
    const res = await hanging;
    expect(res.body.ErrorCode).to.equal(0);
    expect(res.ms).to.be.below(BUDGET_MS + 200);
  });

  it('answers a resent callback with the decision stored with it, without asking again or delivering it twice', async () => {
    const body = gift('allow.app');
    const first = await svc.post(body, QUERY);
    await svc.waitForIdle();
    const id = readRecords(out).filter((r) => r.hook === 'handle').pop()!.id as string;
    const asked = decidedBy(id).length;
    const again = await svc.post(body, QUERY);
    expect(again.body).to.deep.equal(first.body);
    expect(again.body.ErrorCode).to.equal(102150);
    await svc.waitForIdle();
    expect(decidedBy(id).length).to.equal(asked);
    expect(readRecords(out).filter((r) => r.hook === 'handle' && r.id === id && r.plugin === 'first')).to.have.length(1);
  });

  it('shows the decisions in /metrics: per plugin and outcome, the latency histogram and the budget overruns', async () => {
    const samples = parseSamples((await svc.get('/metrics')).body as string);
    const metric = (name: string, labels: Record<string, string> = {}) => valueOf(samples, name, labels) ?? 0;
    expect(metric('livehook_decisions_total', { plugin: 'first', outcome: 'reject' })).to.be.at.least(2);
    expect(metric('livehook_decisions_total', { plugin: 'first', outcome: 'error' })).to.equal(2);
    expect(metric('livehook_decisions_total', { plugin: 'first', outcome: 'late' })).to.be.at.least(2);
    expect(metric('livehook_decision_budget_overruns_total')).to.be.at.least(2);
    expect(metric('livehook_decision_duration_seconds_count')).to.be.at.least(8);
    expect(metric('livehook_decision_answers_total', { verdict: 'allow', by: 'onError' })).to.be.at.least(2);
  });

  it('skips a decider whose info for the client is over 1,000 characters or holds a lone surrogate (Tencent would pass it on to the sending client)', async () => {
    for (const plan of ['long.allow', 'surrogate.allow']) {
      const res = await send(plan);
      expect(res.body, plan).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    }
    const skipped = svc.logs.filter((l) => l.hook === 'decide' && l.plugin === 'first' && String(l.msg).includes('info that is not a string of at most 1000 characters of well-formed text'));
    expect(skipped).to.have.length(2);
    // Characters, not UTF-16 units: 1,000 emoji (2,000 units) are within the limit.
    const emoji = await send('emoji.allow');
    expect(emoji.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '🎁'.repeat(1_000), ErrorCode: 102150 });
  });

  describe('with onError "reject"', () => {
    let strict: TestService;
    before(async () => {
      strict = await startWith('reject', path.join(tempDir(), 'strict.jsonl'), pluginsDir);
    });
    after(() => strict.stop());

    it('refuses the gift when a decider fails and none rejected', async () => {
      const res = await strict.post(gift('throw.allow'), QUERY);
      expect(res.body.ErrorCode).to.equal(1);
      expect(res.body.ErrorInfo).to.match(/onError/);
      expect((await strict.post(gift('allow.allow'), QUERY)).body.ErrorCode).to.equal(0);
    });
  });
});

describe('before-callbacks stored before any plugin decided their command', () => {
  it('are answered as the first copy was (plain OK) when resent after a decider is enabled, and the decider is not asked', async () => {
    const pluginsDir = writeDeciders();
    const out = path.join(tempDir(), 'calls.jsonl');
    const svc = await startTestService({
      pluginsDir,
      config: { plugins: { order: ['first', 'second'] } },
      plugins: { first: { enabled: false, capabilities: ['fs'], out }, second: { enabled: false, capabilities: ['fs'], out } },
    });
    try {
      const body = gift('reject.reject');
      const first = await svc.post(body, QUERY);
      expect(first.body).to.deep.include({ ActionStatus: 'OK', ErrorCode: 0 });

      fs.writeFileSync(path.join(svc.configDir, 'plugins', 'first.json'), JSON.stringify({ enabled: true, capabilities: ['fs'], out }));
      expect((await svc.service.reloader.reload('test')).applied).to.equal(true);
      const again = await svc.post(body, QUERY);
      expect(again.body, 'Tencent was told OK the first time').to.deep.equal(first.body);
      const decides = () => readRecords(out).filter((r) => r.hook === 'decide');
      expect(decides()).to.have.length(0);
      // A new gift is decided.
      expect((await svc.post(gift('reject.allow'), QUERY)).body.ErrorCode).to.not.equal(0);
      expect(decides()).to.have.length(1);
    } finally {
      await svc.stop();
    }
  });
});
