/**
 * Node's process metrics (CPU, memory, event loop lag, GC, handles), in one
 * registry per process. They describe the process, not a service, and
 * prom-client's collectors register a GC observer that is never removed: one
 * set per process keeps several services in one process (tests) from piling
 * up observers, and keeps them off prom-client's global registry.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | null = null;

export function processMetrics(): Registry {
  if (registry === null) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
