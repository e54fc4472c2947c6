import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startChildService } from '../helpers/child-service';
import { REPO_ROOT, tempDir, writeConfigDir } from '../helpers/service';

describe('one service per SQLite data dir', function () {
  this.timeout(60_000);

  it('refuses a second service on the same data dir, naming the holder; takes over after a crash', async () => {
    const env = { LIVEHOOK_CONFIG_DIR: writeConfigDir({ onlyPlugins: ['logging'] }), LIVEHOOK_DATA_DIR: tempDir('livehook-data-') };
    const first = await startChildService(env);

    const second = spawnSync(process.execPath, [path.join(REPO_ROOT, 'src', 'bin', 'livehook.js'), 'serve'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(second.status).to.equal(1);
    expect(second.stderr).to.contain(`pid ${first.child.pid}`).and.to.contain(env.LIVEHOOK_DATA_DIR);

    // SIGKILL leaves the lock file behind; the next start sees its process is gone.
    expect(await first.kill('SIGKILL')).to.equal('SIGKILL');
    const third = await startChildService(env);
    expect(await third.kill('SIGTERM')).to.equal(0);
  });

  it('lets exactly one of two services starting at once take over a stale lock', async () => {
    // Each contender takes the lock in its own process and holds it for a second.
    const contender = (dataDir: string) =>
      new Promise<string>((resolve) => {
        const code = `require(${JSON.stringify(path.join(REPO_ROOT, 'src', 'bin', 'register.js'))});
          const { lockDataDir } = require(${JSON.stringify(path.join(REPO_ROOT, 'src', 'store', 'data-dir-lock.ts'))});
          try { lockDataDir(process.argv[1]); console.log('got it'); setTimeout(() => {}, 1000); }
          catch (err) { console.log(err.message.startsWith('another livehook') ? 'refused' : 'error: ' + err.message); }`;
        const child = spawn(process.execPath, ['-e', code, dataDir], { encoding: 'utf8' } as never);
        let out = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', () => resolve(out.trim()));
      });
    for (let round = 0; round < 3; round++) {
      const dataDir = tempDir('livehook-data-');
      // Left by a process that is gone.
      fs.writeFileSync(path.join(dataDir, 'livehook.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
      const results = await Promise.all([contender(dataDir), contender(dataDir)]);
      expect(results.sort(), `round ${round}`).to.deep.equal(['got it', 'refused']);
    }
  });

  it('takes over a lock whose pid is a zombie (killed, not yet reaped) or a process started after the lock was written', async () => {
    const { lockDataDir } = await import('../../src/store/data-dir-lock');
    const lockWith = (pid: number, startedAt: string) => {
      const dataDir = tempDir('livehook-data-');
      fs.writeFileSync(path.join(dataDir, 'livehook.lock'), JSON.stringify({ pid, hostname: os.hostname(), startedAt }));
      return dataDir;
    };
    // The shell's background child exits at once, and its parent (the shell, now sleep) never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      await waitForState(zombie, 'Z');
      lockDataDir(lockWith(zombie, new Date().toISOString())).release();

      // A live process, but one started after the lock was written: its pid was reused.
      const reused = parent.pid!;
      lockDataDir(lockWith(reused, '2020-01-01T00:00:00.000Z')).release();
      // The same process as the lock's writer is respected.
      expect(() => lockDataDir(lockWith(reused, new Date(Date.now() + 5_000).toISOString()))).to.throw(/another livehook \(pid \d+/);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('a data dir lock written on another host', function () {
  it('is respected, and the refusal says when the file may be deleted', async () => {
    const { lockDataDir } = await import('../../src/store/data-dir-lock');
    const dataDir = tempDir('livehook-data-');
    const file = path.join(dataDir, 'livehook.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: 1, hostname: 'old-container-7f3a', startedAt: '2026-01-01T00:00:00.000Z' }));
    expect(() => lockDataDir(dataDir)).to.throw(
      `another livehook (pid 1 on old-container-7f3a, since 2026-01-01T00:00:00.000Z) is serving the data dir ${dataDir}: stop it first, or give this one another LIVEHOOK_DATA_DIR (several instances share PostgreSQL, not a SQLite file); if nothing runs on old-container-7f3a any more (a container re-created on the same volume has a new host name), delete ${file} and start again`,
    );
    fs.rmSync(file);
    lockDataDir(dataDir).release();
  });
});

async function waitForState(pid: number, state: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith(state)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} never reached state ${state}`);
}
