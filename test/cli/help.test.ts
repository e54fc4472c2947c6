/**
 * Every command explains itself: `--help`/`-h` prints its usage and exits 0
 * without running it; an unknown flag or contradictory flags are refused
 * with the usage, exit 2. The config folder given does not exist, so a
 * command that ran anyway would fail (exit 1) instead.
 */
import { expect } from 'chai';
import { livehook, livehookInProcess } from '../helpers/cli';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/service';

const COMMANDS = [['serve'], ['report'], ['replay'], ['quarantine'], ['plugins'], ['config'], ['config', 'check']];

describe('livehook --help on every command', function () {
  this.timeout(60_000);
  const env = (): Record<string, string> => ({ LIVEHOOK_CONFIG_DIR: '/nonexistent', LIVEHOOK_DATA_DIR: tempDir(), PORT: '0' });

  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      it(`\`livehook ${command.join(' ')} ${flag}\` prints its usage and runs nothing`, async () => {
        const result = await livehookInProcess([...command, flag], env());
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.match(new RegExp(`^usage: livehook ${command.join(' ')}`));
        expect(result.stderr).to.equal('');
      });
    }
  }

  it('`livehook --help` lists the commands', () => {
    const result = livehook(['--help'], env());
    expect(result.code).to.equal(0);
    for (const command of ['serve', 'report', 'replay', 'quarantine', 'plugins', 'config check']) expect(result.stdout).to.contain(`  ${command}`);
  });

  it('`livehook --version` prints the version of package.json', async () => {
    const result = await livehookInProcess(['--version'], env());
    expect(result.code).to.equal(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(result.stdout.trim()).to.equal(pkg.version);
    const extra = await livehookInProcess(['--version', 'extra'], env());
    expect(extra.code).to.equal(2);
    expect(extra.stderr).to.contain("unexpected argument 'extra'");
  });

  it('refuses an unknown flag, a stray word and contradictory flags with the usage', async () => {
    for (const [args, message] of [
      [['serve', '--port', '9000'], 'livehook serve: unknown option "--port"'],
      [['plugins', '--all'], 'livehook plugins: unknown option "--all"'],
      [['config', 'check', 'now'], 'livehook config check: unexpected argument \'now\''],
      [['config', 'verify'], 'livehook config: unknown subcommand "verify"'],
      [['replay', '--plugin'], "livehook replay: Option '--plugin <value>' argument missing"],
      [['replay', '--dead-only', '--quarantine-only'], 'livehook replay: --dead-only and --quarantine-only contradict each other'],
      [['replay', '--plugin', 'email-alert', '--quarantine-only'], 'livehook replay: --plugin and --quarantine-only contradict each other'],
      [['report', '--date', '2025-09-04', '--bogus'], 'livehook report: unknown option "--bogus"'],
      [['report', '--date', '2025-09-04', '--date=2025-09-05'], 'livehook report: --date is given twice'],
      [['replay', '--plugin', 'a', '--plugin', 'b'], 'livehook replay: --plugin is given twice'],
      [['quarantine', '--all', '--show', '1'], 'livehook quarantine: --all and --show contradict each other'],
    ] as const) {
      const result = await livehookInProcess([...args], env());
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(2);
      expect(result.stderr, args.join(' ')).to.contain(message).and.to.contain(`usage: livehook ${args[0]}`);
      expect(result.stdout).to.equal('');
    }
  });
});
