/**
 * `livehook quarantine` shows what was refused and kept: the list of held
 * bodies with their reasons, and one body whole, without the terminal
 * control characters a hostile client could have put in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { livehookInProcess } from '../helpers/cli';
import { fixture, startTestService, tempDir, type TestService } from '../helpers/service';

const seed = fixture('destroy-room.seed-example.json');

describe('livehook quarantine', function () {
  this.timeout(30_000);
  let svc: TestService;
  let env: Record<string, string>;
  before(async () => {
    svc = await startTestService({ onlyPlugins: ['logging'] });
    env = { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: svc.dataDir };
  });
  after(() => svc.stop());

  it('lists the held bodies with when, what, how big and why, and says when there are none', async () => {
    const empty = await livehookInProcess(['quarantine'], env);
    expect(empty.code, empty.stderr).to.equal(0);
    expect(empty.stdout).to.equal('0 held bodies\n');

    const bad = seed.replace('1703589922780', '1703589922'); // seconds, not ms
    expect((await svc.post(bad, { SdkAppid: '1400000001' })).status).to.equal(400);
    const listed = await livehookInProcess(['quarantine'], env);
    expect(listed.code, listed.stderr).to.equal(0);
    const [line, summary] = listed.stdout.trimEnd().split('\n');
    expect(line).to.match(new RegExp(`^#(\\d+)  \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  Live\\.CallbackAfterDestroyRoom  ${Buffer.byteLength(bad)} bytes  .*EventTime`));
    expect(summary).to.equal('1 held body; `livehook quarantine --show ID` prints one whole');

    const id = /^#(\d+)/.exec(line)![1];
    const shown = await livehookInProcess(['quarantine', '--show', id], env);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain(`#${id} held\n`).and.contain('command   Live.CallbackAfterDestroyRoom\n').and.contain('SdkAppid  1400000001\n');
    expect(shown.stdout).to.contain(`body      ${Buffer.byteLength(bad)} bytes (a character the terminal would act on or hide is shown as <U+XXXX>):\n${bad}`);
  });

  it('shows a body whole with its terminal escapes made visible, and lists replayed ones only with --all', async () => {
    // Real control, bidi and invisible characters, and (in Note) the six characters of a JSON escape, which must look different.
    const raw = '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":"\u001b]0;owned\u0007\u001b[2J","Note":"\\u001b \u202e \u2028 \u200b \u00ad \u{e0041} \u3164 \u00a0\u3000 <U+001B>"}';
    const id = await svc.service.store.quarantine({ receivedAt: Date.now(), sdkAppId: '14\u001b[31m00', command: 'Live.CallbackAfterDestroyRoom', raw, query: { SdkAppid: '1400000001' }, reason: 'bad\u001b[31m' });
    const shown = await livehookInProcess(['quarantine', '--show', String(id)], env);
    expect(shown.stdout).not.to.contain('\u001b');
    expect(shown.stdout).to.contain('"RoomId":"<U+001B>]0;owned<U+0007><U+001B>[2J"').and.contain('reason    bad<U+001B>[31m');
    expect(shown.stdout).to.contain('"Note":"\\u001b <U+202E> <U+2028> <U+200B> <U+00AD> <U+E0041> <U+3164> <U+00A0><U+3000> <U+003C>U+001B>"').and.contain('SdkAppid  14<U+001B>[31m00\n');

    await svc.service.store.setQuarantineStatus(id, 'replayed', 'stored as event 7');
    expect((await livehookInProcess(['quarantine'], env)).stdout).not.to.contain(`#${id} `);
    const all = await livehookInProcess(['quarantine', '--all'], env);
    expect(all.stdout).to.match(new RegExp(`^#${id}  \\S+  Live\\.CallbackAfterDestroyRoom  \\d+ bytes  replayed  bad<U\\+001B>\\[31m$`, 'm'));
    expect(all.stdout).to.contain('2 quarantined bodies');
  });

  it('says so, and creates nothing, when no service has run with the data dir it is given (replay too)', async () => {
    const dataDir = path.join(tempDir('livehook-elsewhere-'), 'data');
    const result = await livehookInProcess(['quarantine'], { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: dataDir });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`no store at ${path.join(dataDir, 'livehook.db')}: no service has run with this data dir; give the service's LIVEHOOK_DATA_DIR (or DATABASE_URL)`);
    expect(fs.existsSync(dataDir)).to.equal(false);

    // An empty livehook.db is no store either, and is left empty; replay refuses the same way.
    const emptyDir = tempDir('livehook-empty-');
    fs.writeFileSync(path.join(emptyDir, 'livehook.db'), '');
    for (const command of [['quarantine'], ['replay']]) {
      const refused = await livehookInProcess(command, { LIVEHOOK_CONFIG_DIR: svc.configDir, LIVEHOOK_DATA_DIR: emptyDir });
      expect(refused.code, command[0]).to.equal(1);
      expect(refused.stderr).to.contain(`no store at ${path.join(emptyDir, 'livehook.db')}: no service has run with this data dir`);
    }
    expect(fs.statSync(path.join(emptyDir, 'livehook.db')).size).to.equal(0);
  });

  it('discards a held body: replay leaves it alone, --all lists it as discarded, and a second discard is refused', async () => {
    const raw = '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","junk":true}';
    const id = await svc.service.store.quarantine({ receivedAt: Date.now(), sdkAppId: '1400000001', command: 'Live.CallbackAfterDestroyRoom', raw, query: { SdkAppid: '1400000001' }, reason: 'RoomId is required' });
    const discarded = await livehookInProcess(['quarantine', '--discard', `#${id}`], env);
    expect(discarded.code, discarded.stderr).to.equal(0);
    expect(discarded.stdout).to.equal(`#${id} discarded: \`livehook replay\` leaves it alone, and retention deletes it after retention.days (90 days)\n`);
    expect((await livehookInProcess(['quarantine'], env)).stdout).not.to.contain(`#${id} `);
    expect((await livehookInProcess(['quarantine', '--all'], env)).stdout).to.match(new RegExp(`^#${id}  \\S+  Live\\.CallbackAfterDestroyRoom  \\d+ bytes  discarded  RoomId is required$`, 'm'));
    expect((await livehookInProcess(['quarantine', '--show', String(id)], env)).stdout).to.match(new RegExp(`^#${id} discarded \\(discarded by an operator at \\d{4}-`));
    const replayed = await livehookInProcess(['replay', '--quarantine-only'], env);
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(await svc.service.store.findQuarantine(id)).to.deep.include({ status: 'rejected', reason: 'RoomId is required' });

    const again = await livehookInProcess(['quarantine', '--discard', String(id)], env);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain(`quarantined body #${id} is discarded, not held: only a held body is discarded`);
    const missing = await livehookInProcess(['quarantine', '--discard', '999999'], env);
    expect(missing.stderr).to.contain('no quarantined body #999999');
  });

  it('refuses an id it does not hold, or one that is not a number', async () => {
    const missing = await livehookInProcess(['quarantine', '--show', '999999'], env);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('no quarantined body #999999 (`livehook quarantine --all` lists them; pruned after retention.days)');
    const word = await livehookInProcess(['quarantine', '--show', 'latest'], env);
    expect(word.code).to.equal(2);
    expect(word.stderr).to.contain('livehook quarantine: --show takes the number `livehook quarantine` lists first, not "latest"');
  });
});
