/**
 * What /readyz checks: the service is not shutting down, every started
 * plugin has its delivery worker, and the store answers, within a time
 * limit, so that a hung database makes the probe fail instead of hang,
 * and can write (not after a write refused for a full disk, until there is
 * room again).
 */
import type { Readiness } from '../http/health-routes';
import { isDiskFull } from '../store/disk-full';
import type { Store } from '../store/store';

export interface ReadinessDeps {
  /** False once shutdown began. */
  isAccepting(): boolean;
  /** Null when every enabled plugin is initialised and delivering, else why not. */
  pluginsReady(): string | null;
  store: Pick<Store, 'ping'>;
  /** How long the store may take to answer the ping. */
  pingTimeoutMs: number;
}

export function serviceReadiness(deps: ReadinessDeps): Readiness {
  return {
    async check() {
      if (!deps.isAccepting()) return 'shutting down';
      const plugins = deps.pluginsReady();
      if (plugins !== null) return plugins;
      return pingWithin(deps.store, deps.pingTimeoutMs);
    },
  };
}

/** Null when the store answered in time, else the reason. */
async function pingWithin(store: Pick<Store, 'ping'>, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`store unreachable: no answer to a ping within ${timeoutMs} ms`), timeoutMs);
  });
  const ping = store.ping().then(
    () => null,
    (err: unknown) => `${isDiskFull(err) ? 'disk full' : 'store unreachable'}: ${err instanceof Error ? err.message : String(err)}`,
  );
  try {
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every plugin the host started has a delivery worker in the dispatcher. */
export function pluginsDelivering(started: readonly { name: string }[], delivering: readonly string[]): string | null {
  const missing = started.filter((p) => !delivering.includes(p.name)).map((p) => p.name);
  return missing.length === 0 ? null : `plugins not delivering yet: ${missing.join(', ')}`;
}
