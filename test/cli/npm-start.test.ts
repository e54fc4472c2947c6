import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, fixture, post, tempDir, waitFor } from '../helpers/service';

describe('npm start', function () {
  this.timeout(60_000);

  it('runs the service on port 8080 with the embedded defaults: logs, outbox alerts', async () => {
    const dataDir = tempDir('livehook-data-');
    const child = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      // Nothing configured but where the data goes (so the test leaves the repo clean).
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LIVEHOOK_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: npm does not pass SIGTERM on to the script, so the test signals the group.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /listening on http:\/\/0\.0\.0\.0:8080/.test(stderr), 30_000, 'the service on 8080').catch((err: Error) => {
        throw new Error(`${err.message}\nstderr: ${stderr.slice(-1500)}\nstdout: ${stdout.slice(-500)}`);
      });
      const health = await fetch('http://127.0.0.1:8080/healthz');
      expect(health.status).to.equal(200);
      const res = await post('http://127.0.0.1:8080', fixture('destroy-room.production-capture.json'), { SdkAppid: '1400000001' });
      expect(res.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
      // the logging plugin's line on stdout, the alert in the outbox
      await waitFor(() => stdout.includes('"roomId":"436"'), 10_000, 'the event line on stdout');
      // stdout is JSON lines a collector can read: no npm banner ("> livehook@0.1.0 start") among them.
      for (const line of stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line), `a stdout line that is not JSON: ${line}`).not.to.throw();
      await waitFor(() => fs.existsSync(path.join(dataDir, 'outbox')) && fs.readdirSync(path.join(dataDir, 'outbox')).some((f) => f.endsWith('.eml')), 10_000, 'the alert in the outbox');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    expect(fs.existsSync(path.join(dataDir, 'livehook.db'))).to.equal(true);
  });
});
