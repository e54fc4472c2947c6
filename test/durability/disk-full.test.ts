/**
 * A full disk under the data dir (a real tmpfs, filled up): callbacks are
 * refused with a 5xx (Tencent sends them again), none acknowledged is lost,
 * /readyz says not ready with the reason, and freeing space makes it ready
 * again without a restart. A start on a full disk says so in one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { livehook } from '../helpers/cli';
import { fixture, startTestService, waitFor, writeConfigDir, type TestService } from '../helpers/service';
import { fillUp, useTmpfs } from '../helpers/tmpfs';

const QUERY = { SdkAppid: '1400000001' };
const seed = fixture('destroy-room.seed-example.json');
/** A distinct destroy-room body of about `padBytes` (an unknown key, kept as sent). */
const body = (room: string, padBytes = 0): string => seed.replace('"tandy-test-rest"', JSON.stringify(room)).replace(/^\{/, `{"Pad":${JSON.stringify('p'.repeat(padBytes))},`);

describe('a full disk under the data dir', function () {
  this.timeout(60_000);
  let svc: TestService | null = null;
  after(() => svc?.stop());
  const fsys = useTmpfs(4 * 1024 * 1024);

  it('answers 5xx and /readyz 503 while writes fail, loses nothing acknowledged, and is ready again once space is freed', async () => {
    const dataDir = path.join(fsys.dir, 'data');
    svc = await startTestService({ dataDir, onlyPlugins: ['logging'], plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: false, file: 'events.log', retry: { baseMs: 50, capMs: 200, maxAttempts: 1000 } } } });
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await svc.post(body(`before-${i}`), QUERY);
      expect(res.status).to.equal(200);
      acknowledged.push(`before-${i}`);
    }
    expect((await svc.get('/readyz')).status).to.equal(200);

    const filler = fillUp(fsys.dir);
    const refused: number[] = [];
    for (let i = 0; i < 200 && refused.length < 3; i++) {
      const res = await svc.post(body(`full-${i}`, 64 * 1024), QUERY);
      if (res.status === 200) acknowledged.push(`full-${i}`);
      else {
        refused.push(res.status);
        expect(res.body.ActionStatus).to.equal('FAIL');
        expect(res.body.ErrorInfo).to.match(/disk is full/);
      }
    }
    expect(refused, 'callbacks refused once the disk is full').to.have.length(3);
    for (const status of refused) expect([500, 503]).to.include(status);
    const notReady = await svc.get('/readyz');
    expect(notReady.status).to.equal(503);
    expect(notReady.body.reason).to.match(/^disk full: /).and.to.contain(dataDir).and.to.match(/ready again once 1\.0 MiB are free/);
    // Still not ready a moment later: nothing was freed.
    expect((await svc.get('/readyz')).status).to.equal(503);

    fs.rmSync(filler);
    await waitFor(async () => (await svc!.get('/readyz')).status === 200, 10_000, '/readyz to be 200 again');
    const after = await svc.post(body('after'), QUERY);
    expect(after.status).to.equal(200);
    acknowledged.push('after');

    const stored = new Set((await svc.service.store.readEvents(0, 10_000)).map((e) => e.event.roomId));
    for (const room of acknowledged) expect(stored.has(room), room).to.equal(true);

    // The logging plugin, on the same disk, catches up: every acknowledged event has a whole line.
    const log = path.join(dataDir, 'logs', 'events.log');
    const logged = (): Set<unknown> => new Set(fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { roomId: unknown }).roomId));
    await waitFor(() => acknowledged.every((room) => logged().has(room)), 10_000, 'every acknowledged event in the event log');
  });

  it('refuses to start on a full disk in one line, and leaves no lock file behind', () => {
    const configDir = writeConfigDir({ onlyPlugins: ['logging'] });
    // Nothing free at all: the lock cannot be written. One page free: the lock is, SQLite's files are not.
    for (const leave of [0, 4096]) {
      const dataDir = path.join(fsys.dir, `start-${leave}`);
      fs.mkdirSync(dataDir);
      const filler = fillUp(fsys.dir, `filler-${leave}`);
      if (leave > 0) fs.truncateSync(filler, fs.statSync(filler).size - leave);
      try {
        const result = livehook(['serve'], { LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: dataDir, PORT: '0' });
        const lines = result.stderr.trim().split('\n');
        expect(result.code, result.stderr).to.equal(1);
        expect(lines, result.stderr).to.have.length(1);
        expect(lines[0]).to.match(/^cannot start: no space left in the data dir /).and.to.contain(dataDir).and.to.contain('free some space');
        expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('livehook.lock')), `leave ${leave}`).to.deep.equal([]);
      } finally {
        fs.rmSync(filler);
      }
    }
  });
});
