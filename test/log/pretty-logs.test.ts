/**
 * On a terminal a person reads the logs: pretty-printed, the plugins' lines
 * too (they come from their isolates), and before the command's own output.
 * A pseudo-terminal is made with util-linux's `script` (Debian: bsdutils).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { livehook } from '../helpers/cli';
import { REPO_ROOT, tempDir, writeConfigDir } from '../helpers/service';

describe('log lines on a terminal', function () {
  this.timeout(30_000);

  it('are pretty-printed when stderr is a terminal, JSON lines when it is not', () => {
    const env = { PATH: process.env.PATH ?? '', LIVEHOOK_TIMEZONE: 'UTC', LIVEHOOK_CONFIG_DIR: writeConfigDir(), LIVEHOOK_DATA_DIR: tempDir(), LIVEHOOK_SMTP_URL: 'smtp://127.0.0.1:1', LIVEHOOK_ALERT_TO: 'ops@example.com' };
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO_ROOT, 'src', 'bin', 'livehook.js'))} config check`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 25_000 });
    expect(tty.status, tty.stderr).to.equal(0);
    // eslint-disable-next-line no-control-regex
    const screen = tty.stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
    const warnings = screen.split('\n').filter((l) => /mail is sent From/.test(l));
    expect(warnings, screen).to.have.length(2); // email-alert's and stats-rollup's mailer
    for (const line of warnings) expect(line).to.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: mail is sent From/);
    expect(screen).to.match(/plugin: "email-alert"/);
    expect(screen).not.to.contain('{"level"');
    expect(screen.indexOf('config OK')).to.be.greaterThan(screen.lastIndexOf('mail is sent From'));

    const piped = livehook(['config', 'check'], env);
    const jsonLines = piped.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines).to.have.length(2);
    for (const line of jsonLines) expect(JSON.parse(line)).to.include({ level: 'warn', component: 'mailer' });
  });
});
