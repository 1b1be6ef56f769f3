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

/**
 * Readiness and liveness of the notifier's MySQL pools (the first one is asked for
 * readiness: the delivery path's); neither waits longer than `probeTimeoutMs`.
 */
export function makePoolProbes(pools: Pool | readonly Pool[], opts: { budgetMs: number; probeTimeoutMs: number }): PoolProbes {
  const all = Array.isArray(pools) ? pools : [pools as Pool];
  return {
    async isReady() {
      await query(all[0]!, 'SELECT 1', [], opts.probeTimeoutMs);
      return true;
    },
    async isLive() {
      const now = Date.now();
      return all.every((pool) => longestCheckoutMs(pool, now) <= opts.budgetMs);
    },
  };
}
