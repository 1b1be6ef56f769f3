import type { Pool } from './pool';

/**
 * Since when callers of a pool have got no connection at all (a wait for one timed out and
 * none was handed out since): what liveness is judged by. A database that refuses
 * connections does not count: another instance could not do better.
 */
const starvedSince = new WeakMap<Pool, number>();

export function noteConnectionHandedOut(pool: Pool): void {
  starvedSince.delete(pool);
}

export function noteConnectionWaitTimedOut(pool: Pool, nowMs: number): void {
  if (!starvedSince.has(pool)) starvedSince.set(pool, nowMs);
}

/** How long the pool has handed out no connection to callers that waited for one; 0 when it has. */
export function starvedForMs(pool: Pool, nowMs: number): number {
  const since = starvedSince.get(pool);
  return since === undefined ? 0 : nowMs - since;
}
