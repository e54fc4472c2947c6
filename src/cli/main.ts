/**
 * The `livehook` command. Each subcommand lives in its own file; this one
 * only routes and turns errors into a message and an exit code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LivehookError, isLivehookError, describeError } from '../errors';
import { processIo, println, type CliIo } from './io';
import { usageError } from './parse-command';

const USAGE = `usage: livehook <command> [--help]      livehook --version

  serve                         run the service
  report --date YYYY-MM-DD      (re)build one day's report from stored events
  report --from D1 --to D2      (re)build a range of days
  replay [--plugin NAME]        re-run dead deliveries and re-validate quarantined bodies
         [--dead-only | --quarantine-only]
  quarantine [--all] [--show ID] list the invalid bodies kept, or show one whole
  plugins                       list plugins found, enabled or not, and why
  config check                  validate config/ and the plugins' options, then exit

\`livehook <command> --help\` explains each. Environment variables and config files: see docs/configuration.md.`;

const CONFIG_USAGE = `usage: livehook config check

  check                         validate config/ and the plugins' options, then exit`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Each command loads only what it needs: `livehook plugins` should not pay for Koa.
      case 'serve':
        return await (await import('./serve')).serveCommand(rest, io);
      case 'report':
        return await (await import('./report-boot')).reportCommand(rest, io);
      case 'replay':
        return await (await import('./replay')).replay(rest, io);
      case 'quarantine':
        return await (await import('./quarantine')).quarantineCommand(rest, io);
      case 'plugins':
        return await (await import('./plugins')).listPlugins(rest, io);
      case 'config': {
        const [sub, ...subRest] = rest;
        if (sub === 'check') return await (await import('./config-check')).configCheck(subRest, io);
        if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
          println(sub ? io.stdout : io.stderr, CONFIG_USAGE);
          return sub ? 0 : 2;
        }
        throw usageError({ name: 'config', usage: CONFIG_USAGE }, sub.startsWith('-') ? `unknown option "${sub}"` : `unknown subcommand "${sub}"`);
      }
      case '--version':
      case '-v':
        if (rest.length > 0) throw new LivehookError('USAGE', `livehook: unexpected argument '${rest[0]}' after ${command}\n\n${USAGE}`);
        // package.json is two folders up wherever livehook is installed; read as data, not loaded as a module.
        println(io.stdout, (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        println(command ? io.stdout : io.stderr, USAGE);
        return command ? 0 : 2;
      default:
        println(io.stderr, `unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    println(io.stderr, isLivehookError(err) ? err.message : `livehook: ${describeError(err)}`);
    if (!isLivehookError(err) && err instanceof Error && err.stack) println(io.stderr, err.stack);
    return isLivehookError(err) && err.code === 'USAGE' ? 2 : 1;
  }
}

export function main(argv: string[]): void {
  run(argv, processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      println(process.stderr, `livehook: ${describeError(err)}`);
      process.exitCode = 1;
    },
  );
}
