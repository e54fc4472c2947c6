/**
 * `livehook quarantine`: what was refused and kept. An authenticated body
 * that failed validation is answered 400 and kept with its reason; this
 * lists those bodies and shows one whole, so an operator can see what
 * Tencent sent and why it was refused without opening the database.
 * `livehook replay --quarantine-only` validates them again after a fix;
 * `--discard ID` gives one up (junk that no fix will make valid), which
 * retention then deletes. Safe while the service runs.
 */
import { LivehookError } from '../errors';
import type { QuarantineRecord, QuarantineStatus } from '../store/store';
import { loadCliConfig } from './cli-config';
import { withServiceStore } from './configured-store';
import { println, type CliIo } from './io';
import { parseCommand } from './parse-command';
import { terminalText } from './terminal-text';
import { shorten } from '../util/shorten';

export const QUARANTINE_USAGE = `usage: livehook quarantine [--all] [--show ID] [--discard ID]

Lists the bodies refused as invalid and kept (answered 400, stored with the
reason): id, when it arrived, command, size and reason, oldest first.

  --all        also those replayed since (stored as events by \`livehook replay\`)
  --show ID    one of them whole: its facts, the query and the raw body
  --discard ID gives a held one up: replay leaves it alone, and retention
               deletes it after retention.days (--all still lists it until then)

\`livehook replay --quarantine-only\` validates the held ones again after a fix.`;

const QUARANTINE = {
  name: 'quarantine',
  usage: QUARANTINE_USAGE,
  options: { all: { type: 'boolean' }, show: { type: 'string' }, discard: { type: 'string' } },
  conflicts: [['all', 'show'], ['all', 'discard'], ['show', 'discard']],
} as const satisfies Parameters<typeof parseCommand>[0];

export async function quarantineCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(QUARANTINE, argv);
  if (parsed.help) {
    println(io.stdout, QUARANTINE_USAGE);
    return 0;
  }
  const { values } = parsed;
  const showId = values.show === undefined ? null : quarantineId(values.show, '--show');
  const discardId = values.discard === undefined ? null : quarantineId(values.discard, '--discard');
  const config = loadCliConfig(io);
  return withServiceStore(config, io, async (store) => {
    if (discardId !== null) {
      const item = await store.findQuarantine(discardId);
      if (!item) throw new LivehookError('NOT_FOUND', `no quarantined body #${discardId} (\`livehook quarantine\` lists the held ones)`);
      if (item.status !== 'held') throw new LivehookError('USAGE', `quarantined body #${discardId} is ${shownStatus(item.status)}, not held: only a held body is discarded`);
      await store.setQuarantineStatus(discardId, 'rejected', `discarded by an operator at ${new Date().toISOString()}`);
      println(io.stdout, `#${discardId} discarded: \`livehook replay\` leaves it alone, and retention deletes it after retention.days (${config.service.retention.days} days)`);
      return 0;
    }
    if (showId !== null) {
      const item = await store.findQuarantine(showId);
      if (!item) throw new LivehookError('NOT_FOUND', `no quarantined body #${showId} (\`livehook quarantine --all\` lists them; pruned after retention.days)`);
      println(io.stdout, describeOne(item));
      return 0;
    }
    const status: QuarantineStatus | undefined = values.all ? undefined : 'held';
    const items = await store.listQuarantine(status);
    for (const item of items) println(io.stdout, listLine(item, values.all === true));
    println(io.stdout, `${items.length} ${values.all ? 'quarantined' : 'held'} bod${items.length === 1 ? 'y' : 'ies'}${items.length > 0 ? '; `livehook quarantine --show ID` prints one whole' : ''}`);
    return 0;
  });
}

/** 'rejected' in the store: an operator gave the body up. */
function shownStatus(status: QuarantineStatus): string {
  return status === 'rejected' ? 'discarded' : status;
}

function quarantineId(text: string, option: '--show' | '--discard'): number {
  const id = /^#?(\d{1,15})$/.exec(text.trim());
  if (!id) throw new LivehookError('USAGE', `livehook quarantine: ${option} takes the number \`livehook quarantine\` lists first, not "${text}"\n\n${QUARANTINE_USAGE}`);
  return Number(id[1]);
}

function listLine(item: QuarantineRecord, withStatus: boolean): string {
  const cells = [`#${item.id}`, new Date(item.receivedAt).toISOString(), terminalText(item.command ?? NO_COMMAND), `${Buffer.byteLength(item.raw)} bytes`];
  if (withStatus) cells.push(shownStatus(item.status));
  return `${cells.join('  ')}  ${terminalText(shortened(item.reason))}`;
}

function describeOne(item: QuarantineRecord): string {
  return [
    `#${item.id} ${shownStatus(item.status)}${item.note ? ` (${terminalText(item.note)})` : ''}`,
    `received  ${new Date(item.receivedAt).toISOString()}`,
    `command   ${terminalText(item.command ?? NO_COMMAND)}`,
    `SdkAppid  ${terminalText(item.sdkAppId ?? '(no SdkAppid)')}`,
    `query     ${new URLSearchParams(item.query).toString()}`,
    `reason    ${terminalText(item.reason, { keepLines: true })}`,
    `body      ${Buffer.byteLength(item.raw)} bytes (a character the terminal would act on or hide is shown as <U+XXXX>):`,
    terminalText(item.raw, { keepLines: true }),
  ].join('\n');
}

const NO_COMMAND = '(no command)';

/** The list shows a reason's first line, and at most 200 characters of it: --show has it whole. */
function shortened(reason: string): string {
  const end = reason.indexOf('\n');
  return end === -1 ? shorten(reason, 200) : `${shorten(reason.slice(0, end), 200)} …`;
}
