/**
 * `livehook replay`: give failed work another chance after a fix.
 * - dead deliveries (all, or --plugin NAME's) become due again, attempts reset;
 * - quarantined bodies are validated again with today's schemas: those that
 *   pass are stored as events (deduplicated as usual), the rest stay held
 *   with the new reason.
 * The running service picks the work up within a second; a stopped one at
 * its next start. Safe to run while the service runs.
 */
import { buildEvent } from '../callbacks/build-event';
import { LivehookError, describeError } from '../errors';
import { loadCliConfig } from './cli-config';
import { withServiceStore } from './configured-store';
import { println, type CliIo } from './io';
import { parseCommand } from './parse-command';

export const REPLAY_USAGE = `usage: livehook replay [--plugin NAME] [--dead-only | --quarantine-only]

Gives failed work another chance after a fix:
  dead deliveries (all, or those of --plugin NAME) become due again, attempts reset;
  quarantined bodies are validated again with today's schemas; those that pass
  are stored as events, the rest stay held with the new reason.

  --plugin NAME        only this plugin's dead deliveries (quarantine is left alone)
  --dead-only          only dead deliveries
  --quarantine-only    only quarantined bodies

Safe while the service runs: it picks the work up within a second.`;

const REPLAY = {
  name: 'replay',
  usage: REPLAY_USAGE,
  options: { plugin: { type: 'string' }, 'dead-only': { type: 'boolean' }, 'quarantine-only': { type: 'boolean' } },
  conflicts: [['dead-only', 'quarantine-only'], ['plugin', 'quarantine-only']],
} as const satisfies Parameters<typeof parseCommand>[0];

export async function replay(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(REPLAY, argv);
  if (parsed.help) {
    println(io.stdout, REPLAY_USAGE);
    return 0;
  }
  const { values } = parsed;
  const config = loadCliConfig(io);
  return withServiceStore(config, io, async (store) => {
    if (!values['quarantine-only']) {
      if (values.plugin && !(await store.listDeliveries({ plugin: values.plugin })).length && !config.plugins.has(values.plugin)) {
        throw new LivehookError('USAGE', `no plugin "${values.plugin}" is configured and it has no deliveries (see \`livehook plugins\`)`);
      }
      // Counted before: a plugin that is not enabled now takes its requeued deliveries only once it is again.
      const dead = (await store.countDeliveries()).filter((c) => c.status === 'dead' && (!values.plugin || c.plugin === values.plugin) && c.count > 0);
      const requeued = await store.requeueDead(values.plugin, Date.now());
      println(io.stdout, `dead deliveries requeued${values.plugin ? ` for ${values.plugin}` : ''}: ${requeued}`);
      for (const { plugin, count } of dead) {
        if (config.plugins.get(plugin)?.enabled) continue;
        const why = config.plugins.has(plugin) ? `is not enabled (${config.plugins.get(plugin)!.file})` : 'has no config file';
        println(io.stdout, `warning: ${count} of them belong to plugin "${plugin}", which ${why}: they run once it is enabled again`);
      }
    }
    if (!values['dead-only'] && !values.plugin) {
      let stored = 0;
      let duplicates = 0;
      let stillInvalid = 0;
      for (const item of await store.listQuarantine('held')) {
        try {
          const event = buildEvent({ raw: item.raw, query: item.query, receivedAt: item.receivedAt });
          const result = await store.append(event);
          if (result.duplicate) duplicates++;
          else stored++;
          await store.setQuarantineStatus(item.id, 'replayed', result.duplicate ? 'already stored (duplicate)' : `stored as event ${result.seq}`);
        } catch (err) {
          stillInvalid++;
          await store.setQuarantineStatus(item.id, 'held', describeError(err));
        }
      }
      println(io.stdout, `quarantined bodies: ${stored} now valid and stored, ${duplicates} already stored, ${stillInvalid} still invalid (kept)`);
    }
    return 0;
  });
}
