import type { Pool } from './pool';
import { starvedForMs } from './pool-liveness';
import { acquire, query } from './sql';

export interface PoolProbes {
  /** MySQL answers a statement within the probe timeout, waiting for a connection included. */
  isReady(): Promise<boolean>;
  /**
   * Deliveries can make progress: false once callers have got no connection for longer than
   * the delivery budget (a leaked or wedged pool), so the platform replaces the instance.
   * MySQL refusing connections is not a reason: another instance could not do better.
   */
  isLive(): Promise<boolean>;
}

/** Readiness and liveness of the notifier's MySQL pool, each bounded by `probeTimeoutMs`. */
export function makePoolProbes(pool: Pool, opts: { budgetMs: number; probeTimeoutMs: number }): PoolProbes {
  return {
    async isReady() {
      await query(pool, 'SELECT 1', [], opts.probeTimeoutMs);
      return true;
    },
    async isLive() {
      if (starvedForMs(pool, Date.now()) === 0) return true;
      // A connection handed out to the probe itself ends the starvation.
      const conn = await acquire(pool, opts.probeTimeoutMs).catch(() => undefined);
      conn?.release();
      return starvedForMs(pool, Date.now()) <= opts.budgetMs;
    },
  };
}
