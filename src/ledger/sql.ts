import type { Pool, PoolConnection } from './pool';
import { withTimeout } from '../timeout';
import { classifyDatabaseError } from './mysql-errors';

type Queryable = Pool | PoolConnection;

/** One parameterised statement with a timeout; unavailability becomes a TransientError. */
export async function query<T>(db: Queryable, sql: string, params: unknown[], timeoutMs: number): Promise<T> {
  try {
    const [rows] = await db.query({ sql, timeout: timeoutMs }, params);
    return rows as T;
  } catch (err) {
    return classifyDatabaseError(err);
  }
}

/** A pooled connection, or a TransientError when none comes within the timeout. */
export async function acquire(pool: Pool, timeoutMs: number): Promise<PoolConnection> {
  const pending = pool.getConnection();
  try {
    return await withTimeout(pending, timeoutMs, () =>
      Object.assign(new Error('waiting for a MySQL connection timed out'), { code: 'ETIMEDOUT' }),
    );
  } catch (err) {
    // A connection that arrives after we gave up goes straight back.
    pending.then((c) => c.release(), () => undefined);
    return classifyDatabaseError(err);
  }
}

/** Epoch milliseconds → `YYYY-MM-DD HH:MM:SS.fff` in UTC, for DATETIME(6) columns (all kept in UTC). */
export function utcDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
