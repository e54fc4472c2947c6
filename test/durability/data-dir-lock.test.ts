import { spawnSync } from 'node:child_process';
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
});
