import type { Pool, PoolConnection } from './pool';

/**
 * The connections handed out by `acquire` and not yet given back, with when each was
 * handed out. A delivery holds one for at most the delivery budget (every send, statement
 * and publish is bounded), so one held longer is stuck: leaked, or waiting on something
 * that never comes. That is what liveness is judged by. A MySQL that refuses or never
 * answers holds nothing (its statements time out and their connections are destroyed),
 * and another instance could not do better.
 */
const checkedOut = new WeakMap<Pool, Map<PoolConnection, number>>();

/** Records `conn` as handed out now; its release or destroy records it back. */
export function trackCheckout(pool: Pool, conn: PoolConnection, nowMs: number): void {
  let held = checkedOut.get(pool);
  if (!held) checkedOut.set(pool, (held = new Map()));
  held.set(conn, nowMs);
  const release = conn.release.bind(conn);
  const destroy = conn.destroy.bind(conn);
  conn.release = () => {
    held.delete(conn);
    release();
  };
  conn.destroy = () => {
    held.delete(conn);
    destroy();
  };
}

/** How long the connection held longest has been out; 0 when none is. */
export function longestCheckoutMs(pool: Pool, nowMs: number): number {
  let oldest = nowMs;
  for (const since of checkedOut.get(pool)?.values() ?? []) oldest = Math.min(oldest, since);
  return nowMs - oldest;
}
