/**
 * One way every command reads its command line: node:util parseArgs, strict
 * (an unknown flag or a stray word is refused with the command's usage),
 * `--help`/`-h` on every command (usage on stdout, exit 0, the command never
 * runs), and pairs of flags that contradict each other refused by name.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LivehookError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends Options> {
  /** As typed after `livehook`: "replay", "config check". */
  name: string;
  usage: string;
  options: O;
  /** Flags that cannot be given together. */
  conflicts?: ReadonlyArray<readonly [keyof O & string, keyof O & string]>;
}

export type Parsed<O extends Options> = { help: true } | { help: false; values: ReturnType<typeof parseArgs<{ options: O; args: string[]; strict: true }>>['values'] };

/** Throws a USAGE LivehookError whose message ends with the command's usage. */
export function usageError(spec: { name: string; usage: string }, problem: string): LivehookError {
  return new LivehookError('USAGE', `livehook ${spec.name}: ${problem}\n\n${spec.usage}`);
}

export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]): Parsed<O> {
  // Help wins over everything else on the line: `replay --bogus --help` explains, it does not complain.
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  let values;
  try {
    const parsed = parseArgs({ args: argv, options: spec.options, strict: true, allowPositionals: false, tokens: true });
    values = parsed.values;
    const twice = repeatedOption(parsed.tokens);
    if (twice) throw usageError(spec, `--${twice} is given twice`);
  } catch (err) {
    if (err instanceof LivehookError) throw err;
    throw usageError(spec, parseArgsProblem(err));
  }
  const given = values as Record<string, unknown>;
  for (const [a, b] of spec.conflicts ?? []) {
    if (given[a] !== undefined && given[b] !== undefined) throw usageError(spec, `--${a} and --${b} contradict each other: give one of them`);
  }
  return { help: false, values: values as Extract<Parsed<O>, { help: false }>['values'] };
}

/** parseArgs' own message, in the words the other usage errors use. */
export function parseArgsProblem(err: unknown): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'(--?[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown option "${flag}"`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${/'([^']*)'/.exec(message)?.[0] ?? ''}`.trim();
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag && ['--date', '--from', '--to'].includes(flag)) return `${flag} needs a day, written YYYY-MM-DD`;
  return message;
}

/** An option given more than once (parseArgs would silently keep the last). */
export function repeatedOption(tokens: ReadonlyArray<{ kind: string; name?: string }>): string | null {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name)) return token.name;
    seen.add(token.name);
  }
  return null;
}
