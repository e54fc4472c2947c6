/**
 * A process-isolated plugin's container, in the child: the same tokens with
 * the same types and behaviour as in a thread, but every capability is a
 * stand-in that calls the real one in the isolate over IPC
 * (./capability-server.ts). Options, context and logger are local.
 */
import { container as rootContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { CaughtUpOptions, MailMessage, MailResult, Mailer, ReportFiles, Reports, ScheduleOptions, ScheduledRun, Scheduler } from '../../pipeline/capability-types';
import { TOKENS, type CheckContext, type PluginContext } from '../../pipeline/plugin-contract';
import type { PluginRecord, PluginRecords } from '../../store/store';
import type { PluginScope } from '../inside/plugin-scope';
import type { PreparedPlugin } from '../inside/prepare-plugin';

type Call = (method: string, args: unknown[]) => Promise<unknown>;

/** Tasks of the plugin's scheduler, run when the isolate's cron fires or a `once` claim is won. */
export class RemoteTasks {
  readonly cron = new Map<string, (run: ScheduledRun) => Promise<void> | void>();
  readonly once = new Map<number, () => Promise<void> | void>();
  nextOnce = 1;
}

export async function buildRemoteScope(prepared: PreparedPlugin, context: PluginContext, checkContext: CheckContext, logger: Logger, call: Call, tasks: RemoteTasks, platformFetch: typeof fetch): Promise<PluginScope> {
  const scope = rootContainer.createChildContainer();
  scope.register(TOKENS.options, { useValue: prepared.options });
  scope.register(TOKENS.context, { useValue: context });
  scope.register(TOKENS.logger, { useValue: logger });
  for (const capability of prepared.manifest.capabilities ?? []) {
    switch (capability) {
      case 'mailer':
        scope.register(TOKENS.mailer, { useValue: await remoteMailer(call) });
        break;
      case 'store':
        scope.register(TOKENS.store, { useValue: remoteRecords(call) });
        break;
      case 'reports':
        scope.register(TOKENS.reports, { useValue: await remoteReports(call) });
        break;
      case 'scheduler':
        scope.register(TOKENS.scheduler, { useValue: remoteScheduler(call, tasks, logger) });
        break;
      case 'http':
        scope.register(TOKENS.http, { useValue: platformFetch });
        break;
      default:
        break;
    }
  }
  // The jobs run in the isolate's scope (child-process-plugin.ts): nothing of them to stop or wait for here.
  return { container: scope, context, checkContext, stopJobs: () => undefined, settled: async () => undefined, dispose: () => undefined };
}

async function remoteMailer(call: Call): Promise<Mailer> {
  const facts = (await call('mailer.describe', [])) as Pick<Mailer, 'from' | 'defaultTo' | 'transport'>;
  return { ...facts, send: async (message: MailMessage) => (await call('mailer.send', [message])) as MailResult };
}

function remoteRecords(call: Call): PluginRecords {
  return {
    put: async (collection, key, at, value) => (await call('store.put', [collection, key, at, value])) as boolean,
    get: async <V>(collection: string, key: string) => (await call('store.get', [collection, key])) as PluginRecord<V> | null,
    delete: async (collection, key) => (await call('store.delete', [collection, key])) as boolean,
    deleteBefore: async (collection, before) => (await call('store.deleteBefore', [collection, before])) as number,
    add: async (changes) => (await call('store.add', [changes])) as { applied: boolean; values: number[] },
    claim: async (collection, key, at, owner, ttlMs) => (await call('store.claim', [collection, key, at, owner, ttlMs])) as boolean,
    release: async (collection, key, owner) => (await call('store.release', [collection, key, owner])) as boolean,
    renew: async (collection, key, owner, ttlMs) => (await call('store.renew', [collection, key, owner, ttlMs])) as boolean,
    scan: <V>(collection: string, from: number, to: number): AsyncIterable<PluginRecord<V>> => ({
      async *[Symbol.asyncIterator]() {
        const id = (await call('store.scanOpen', [collection, from, to])) as number;
        let done = false;
        try {
          while (!done) {
            const page = (await call('store.scanNext', [id])) as { records: Array<PluginRecord<V>>; done: boolean };
            done = page.done;
            yield* page.records;
          }
        } finally {
          if (!done) await call('store.scanClose', [id]);
        }
      },
    }),
  };
}

async function remoteReports(call: Call): Promise<Reports> {
  const { dir } = (await call('reports.describe', [])) as { dir: string };
  return {
    dir,
    write: async (date: string, files: ReportFiles) => void (await call('reports.write', [date, files])),
    readJson: (date: string) => call('reports.readJson', [date]),
    readHtml: async (date: string) => (await call('reports.readHtml', [date])) as string | null,
    list: async () => (await call('reports.list', [])) as string[],
  };
}

function remoteScheduler(call: Call, tasks: RemoteTasks, logger: Logger): Scheduler {
  return {
    schedule(name: string, expression: string, task: (run: ScheduledRun) => Promise<void> | void, options?: ScheduleOptions): void {
      tasks.cron.set(name, task);
      call('scheduler.schedule', [name, expression, options]).catch((err: unknown) => {
        logger.error({ hook: 'cron', err, job: name }, `cron job "${name}" could not be scheduled: ${(err as Error).message}`);
      });
    },
    async caughtUp(options: CaughtUpOptions = {}): Promise<boolean> {
      // The signal cannot cross to the service's side: it stops the wait here, and the service's
      // side ends at its time-out.
      const { signal, timeoutMs } = options;
      if (signal?.aborted) return false;
      const waited = call('scheduler.caughtUp', [timeoutMs ?? null]) as Promise<boolean>;
      if (!signal) return waited;
      return Promise.race([waited, new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }))]);
    },
    async once(key: string, task: () => Promise<void> | void): Promise<boolean> {
      const id = tasks.nextOnce++;
      tasks.once.set(id, task);
      try {
        return (await call('scheduler.once', [key, id])) as boolean;
      } finally {
        tasks.once.delete(id);
      }
    },
  };
}
