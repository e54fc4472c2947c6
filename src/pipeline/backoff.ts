import type { RetryPolicy } from '../config/service-config';

/**
 * Delay before attempt `attempt + 1` after `attempt` failed: base, 2×base,
 * 4×base... capped. No jitter: one instance owns a plugin's deliveries at a
 * time, so there is no herd to spread, and operators can predict the timing.
 */
export function retryDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}
