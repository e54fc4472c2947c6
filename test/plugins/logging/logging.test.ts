/**
 * The logging plugin, as an operator sees it: the lines in
 * <data dir>/logs/events.log for callbacks posted to the real service.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, waitFor, type TestService } from '../../helpers/service';
import { fillUp, useTmpfs } from '../../helpers/tmpfs';

const QUERY = { SdkAppid: '1400000001' };

function lines(file: string): Array<Record<string, unknown>> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logging plugin: the event log file', () => {
  let svc: TestService;
  let file: string;

  before(async () => {
    svc = await startTestService({ onlyPlugins: ['logging'], plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: false, file: 'events.log' } } });
    file = path.join(svc.dataDir, 'logs', 'events.log');
  });
  after(() => svc.stop());

  it('writes one line per callback with the fields an operator greps for, ids with every digit', async () => {
    expect((await svc.post(fixture('destroy-room.seed-example.json'), QUERY)).status).to.equal(200);
    await waitFor(() => lines(file).length === 1, 5000, 'the line');
    const [line] = lines(file);
    expect(line).to.include({
      command: 'Live.CallbackAfterDestroyRoom',
      known: true,
      sdkAppId: '1400000001',
      roomId: 'tandy-test-rest',
      eventType: 'DestroyByUser',
      eventTime: '2023-12-26T11:25:22.780Z',
      operator: 'admin',
      // a bare 18-digit number in the body: JSON.parse would have made it ...840
      owner: '144115216631667826',
    });
    expect(line.id).to.match(/^[0-9a-f]{32}$/);
    expect(line.statistic).to.deep.equal({ TotalViewers: 0, TotalGiftsSent: 0, TotalGiftCoins: 0, TotalUniqueGiftSenders: 0, TotalLikesReceived: 0 });
    expect(line).not.to.have.property('raw');
  });

  it('leaves statistic out when Tencent sent none (absent is not zero)', async () => {
    expect((await svc.post(fixture('destroy-room.production-capture.json'), QUERY)).status).to.equal(200);
    await waitFor(() => lines(file).length === 2, 5000, 'the second line');
    const line = lines(file)[1];
    expect(line).to.include({ roomId: '436', eventType: 'DestroyBySystem', owner: '10100015411' });
    expect(line).not.to.have.property('statistic');
  });

  it('goes on at the start of the file after logrotate copytruncate empties it', async () => {
    fs.truncateSync(file, 0);
    const body = fixture('destroy-room.seed-example.json').replace('"tandy-test-rest"', '"after-rotation"');
    expect((await svc.post(body, QUERY)).status).to.equal(200);
    await waitFor(() => lines(file).length === 1, 5000, 'the line after rotation');
    const text = fs.readFileSync(file, 'utf8');
    expect(text.includes('\u0000'), 'NUL bytes from writing at the old offset').to.equal(false);
    expect(lines(file)[0].roomId).to.equal('after-rotation');
  });
});

describe('logging plugin: options', () => {
  it('adds the raw body with includeRaw, byte for byte', async () => {
    const svc = await startTestService({ onlyPlugins: ['logging'], plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: false, file: 'raw.log', includeRaw: true } } });
    try {
      const body = fixture('destroy-room.seed-example.json');
      expect((await svc.post(body, QUERY)).status).to.equal(200);
      const file = path.join(svc.dataDir, 'logs', 'raw.log');
      await waitFor(() => lines(file).length === 1, 5000, 'the line');
      expect(lines(file)[0].raw).to.equal(body);
    } finally {
      await svc.stop();
    }
  });

  it('writes no file with file: null', async () => {
    const svc = await startTestService({ onlyPlugins: ['logging'], plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: false, file: null } } });
    try {
      expect((await svc.post(fixture('destroy-room.seed-example.json'), QUERY)).status).to.equal(200);
      await svc.waitForIdle();
      expect(fs.existsSync(path.join(svc.dataDir, 'logs'))).to.equal(false);
    } finally {
      await svc.stop();
    }
  });
});

describe('logging plugin: a full disk under logs/', function () {
  this.timeout(30_000);
  let svc: TestService | null = null;
  let dataDir: string;
  after(() => svc?.stop());
  // Only logs/ fills up: the store stays writable, so what is seen is the plugin's handling alone.
  const fsys = useTmpfs(256 * 1024, () => {
    dataDir = tempDir('livehook-data-');
    return path.join(dataDir, 'logs');
  });

  it('fails a short or failed write (retried), leaves no partial line, and writes the line whole once there is room', async () => {
    svc = await startTestService({
      dataDir,
      onlyPlugins: ['logging'],
      plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: false, file: 'events.log', includeRaw: true, retry: { baseMs: 50, capMs: 100, maxAttempts: 1000 } } },
    });
    const file = path.join(dataDir, 'logs', 'events.log');
    const seed = fixture('destroy-room.seed-example.json');
    expect((await svc.post(seed.replace('"tandy-test-rest"', '"first"'), QUERY)).status).to.equal(200);
    await waitFor(() => lines(file).length === 1, 5000, 'the first line');

    // The file's last page has room left: a long line is written in part, then refused.
    const filler = fillUp(fsys.dir);
    const long = seed.replace('"tandy-test-rest"', '"second"').replace(/^\{/, `{"Pad":"${'p'.repeat(20_000)}",`);
    expect((await svc.post(long, QUERY)).status).to.equal(200);
    let failure = '';
    await waitFor(
      async () => {
        const [retrying] = await svc!.service.store.listDeliveries({ plugin: 'logging', status: 'retrying' });
        failure = retrying?.lastError ?? '';
        return (retrying?.attempts ?? 0) >= 3;
      },
      10_000,
      'the delivery to be retried',
    );
    expect(failure).to.contain('could not append a line').and.to.contain('ENOSPC');
    expect(failure, 'a short write was seen').to.match(/\((?!0 )\d+ of \d+ bytes written/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n'), 'no fragment at the end of the file').to.equal(true);
    expect(lines(file).map((l) => l.roomId)).to.deep.equal(['first']);

    fs.rmSync(filler);
    await waitFor(() => lines(file).length === 2, 10_000, 'the retried line');
    await svc.waitForIdle();
    const after = lines(file);
    expect(after.map((l) => l.roomId)).to.deep.equal(['first', 'second']);
    expect(after[1].raw).to.equal(long);
    expect(await svc.service.store.listDeliveries({ plugin: 'logging' })).to.deep.equal([]);
  });
});
