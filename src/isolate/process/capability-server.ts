/**
 * The isolate's side of a process-isolated plugin's capabilities: the child
 * calls `<capability>.<method>` over IPC, this runs it on the real
 * capability (the isolate's store connection, its mailer, its scheduler) and
 * answers. Only the capabilities the plugin was granted exist here; any
 * other call is refused.
 *
 * Two kinds of call need more than forwarding: a store scan is paged (the
 * child asks for the next page of an open scan), and a cron job or a `once`
 * task runs in the child, so the scheduler here calls back into it.
 */
import type { DependencyContainer } from 'tsyringe';
import { LivehookError } from '../../errors';
import { errorData } from '../error-data';
import type { Mailer, Reports, Scheduler } from '../../pipeline/capability-types';
import { TOKENS } from '../../pipeline/plugin-contract';
import type { PluginRecord, PluginRecords } from '../../store/store';
import type { RpcMessage } from './rpc';

const SCAN_PAGE = 500;

type CallChild = (method: string, args: unknown[]) => Promise<unknown>;

export class CapabilityServer {
  private readonly scans = new Map<number, AsyncIterator<PluginRecord>>();
  private nextScan = 1;

  constructor(
    private readonly container: DependencyContainer,
    private readonly granted: readonly string[],
    private readonly callChild: CallChild,
  ) {}

  /** Runs one call from the child and returns the reply to send back. */
  async serve(message: Extract<RpcMessage, { rpc: 'call' }>): Promise<RpcMessage> {
    try {
      return { rpc: 'reply', id: message.id, result: await this.run(message.method, message.args) };
    } catch (err) {
      return { rpc: 'reply', id: message.id, error: errorData(err) };
    }
  }

  private async run(method: string, args: unknown[]): Promise<unknown> {
    const [capability, name] = method.split('.', 2) as [string, string];
    if (!this.granted.includes(capability)) {
      throw new LivehookError('PLUGIN_CAPABILITY_DENIED', `the plugin's process called "${method}", but the plugin has no "${capability}" capability`, { capability });
    }
    switch (capability) {
      case 'store':
        return this.store(name, args);
      case 'mailer': {
        const mailer = this.container.resolve<Mailer>(TOKENS.mailer);
        if (name === 'describe') return { from: mailer.from, defaultTo: [...mailer.defaultTo], transport: mailer.transport };
        if (name === 'send') return mailer.send(args[0] as Parameters<Mailer['send']>[0]);
        break;
      }
      case 'reports': {
        const reports = this.container.resolve<Reports>(TOKENS.reports);
        if (name === 'describe') return { dir: reports.dir };
        if (name === 'write' || name === 'readJson' || name === 'readHtml' || name === 'list') return (reports[name] as (...a: unknown[]) => unknown).apply(reports, args);
        break;
      }
      case 'scheduler': {
        const scheduler = this.container.resolve<Scheduler>(TOKENS.scheduler);
        if (name === 'schedule') {
          const [job, expression, options] = args as [string, string, { timezone?: string } | undefined];
          scheduler.schedule(job, expression, async (run) => void (await this.callChild('cron', [job, run.slot.getTime()])), options);
          return null;
        }
        if (name === 'caughtUp') {
          const [timeoutMs] = args as [number | null];
          return scheduler.caughtUp(timeoutMs === null ? {} : { timeoutMs });
        }
        if (name === 'once') {
          const [key, taskId] = args as [string, number];
          return scheduler.once(key, async () => void (await this.callChild('once', [taskId])));
        }
        break;
      }
      default:
        break;
    }
    throw new LivehookError('PLUGIN_INVALID', `the plugin's process called an unknown capability method "${method}"`, { method });
  }

  private async store(name: string, args: unknown[]): Promise<unknown> {
    const records = this.container.resolve<PluginRecords>(TOKENS.store);
    switch (name) {
      case 'put':
      case 'get':
      case 'delete':
      case 'deleteBefore':
      case 'add':
      case 'claim':
      case 'release':
      case 'renew':
        return (records[name] as (...a: unknown[]) => unknown).apply(records, args);
      case 'scanOpen': {
        const [collection, from, to] = args as [string, number, number];
        const id = this.nextScan++;
        this.scans.set(id, records.scan(collection, from, to)[Symbol.asyncIterator]());
        return id;
      }
      case 'scanNext': {
        const id = args[0] as number;
        const scan = this.scans.get(id);
        if (!scan) return { records: [], done: true };
        const page: PluginRecord[] = [];
        while (page.length < SCAN_PAGE) {
          const next = await scan.next();
          if (next.done) {
            this.scans.delete(id);
            return { records: page, done: true };
          }
          page.push(next.value);
        }
        return { records: page, done: false };
      }
      case 'scanClose':
        await this.scans.get(args[0] as number)?.return?.();
        this.scans.delete(args[0] as number);
        return null;
      default:
        throw new LivehookError('PLUGIN_INVALID', `the plugin's process called an unknown store method "${name}"`, { method: name });
    }
  }
}
