/**
 * The daily prune: events older than the retention that every plugin has
 * finished, with their dead deliveries and old quarantine entries. Events
 * still pending for some plugin are never pruned, however old.
 */
import type { Logger } from 'pino';
import type { Scheduler } from './capability-types';
import type { Store } from '../store/store';

const DAY_MS = 24 * 60 * 60 * 1000;

export function scheduleRetention(deps: { scheduler: Scheduler; store: Store; schedule: string; days: number; pluginNames: () => string[]; logger: Logger }): void {
  deps.scheduler.schedule('retention', deps.schedule, async () => {
    const before = Date.now() - deps.days * DAY_MS;
    const pruned = await deps.store.prune(before, deps.pluginNames());
    deps.logger.info({ ...pruned, before: new Date(before).toISOString() }, 'retention: pruned old events');
  });
}
