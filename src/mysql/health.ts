import type { Pool } from './pool';
import { longestCheckoutMs } from './pool-liveness';
import { query } from './sql';

export interface PoolProbes {
  /** MySQL answers a statement within the probe timeout, waiting for a connection included. */
  isReady(): Promise<boolean>;
  /**
   * Deliveries can make progress: false once a pooled connection has been held longer than
   * the delivery budget (leaked, or stuck), so the platform replaces the instance. A MySQL
   * that refuses or never answers is not a reason: another instance could not do better.
   */
  isLive(): Promise<boolean>;
}

/** Readiness and liveness of the notifier's MySQL pool; neither waits longer than `probeTimeoutMs`. */
export function makePoolProbes(pool: Pool, opts: { budgetMs: number; probeTimeoutMs: number }): PoolProbes {
  return {
    async isReady() {
      await query(pool, 'SELECT 1', [], opts.probeTimeoutMs);
      return true;
    },
    async isLive() {
      return longestCheckoutMs(pool, Date.now()) <= opts.budgetMs;
    },
  };
}
