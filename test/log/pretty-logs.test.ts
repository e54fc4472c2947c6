/**
 * On a terminal a person reads the logs: pretty-printed, the plugins' lines
 * too (they come from their isolates), and before the command's own output.
 * A pseudo-terminal is made with util-linux's `script` (Debian: bsdutils).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { livehook } from '../helpers/cli';
import { writePlugin } from '../helpers/plugin-files';
import { REPO_ROOT, tempDir, writeConfigDir } from '../helpers/service';

/** Says something as its module loads, in its isolate (console.warn becomes a log line). */
const CHATTY = `
'use strict';
const { injectable } = require('tsyringe');
console.warn('chatty is loaded');
class Handler { handle() {} }
injectable()(Handler);
module.exports = { name: 'chatty', version: '1.0.0', commands: '*', handler: Handler };
`;

describe('log lines on a terminal', function () {
  this.timeout(30_000);

  it('are pretty-printed when stderr is a terminal, JSON lines when it is not', () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'chatty', 'index.js', CHATTY);
    const env = { PATH: process.env.PATH ?? '', LIVEHOOK_TIMEZONE: 'UTC', LIVEHOOK_CONFIG_DIR: writeConfigDir({ pluginsDir, plugins: { chatty: { enabled: true } } }), LIVEHOOK_DATA_DIR: tempDir() };
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO_ROOT, 'src', 'bin', 'livehook.js'))} config check`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 25_000 });
    expect(tty.status, tty.stderr).to.equal(0);
    // eslint-disable-next-line no-control-regex
    const screen = tty.stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
    const said = screen.split('\n').filter((l) => /chatty is loaded/.test(l));
    expect(said, screen).to.have.length(1);
    expect(said[0]).to.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: chatty is loaded/);
    expect(screen).to.match(/plugin: "chatty"/);
    expect(screen).not.to.contain('{"level"');
    expect(screen.indexOf('config OK')).to.be.greaterThan(screen.lastIndexOf('chatty is loaded'));

    const piped = livehook(['config', 'check'], env);
    const jsonLines = piped.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines).to.have.length(1);
    expect(JSON.parse(jsonLines[0])).to.include({ level: 'warn', plugin: 'chatty', console: 'warn', msg: 'chatty is loaded' });
  });
});
