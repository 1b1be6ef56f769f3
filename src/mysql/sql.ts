import { Pool, PoolConnection, SESSION_SETUP } from './pool';
import { withTimeout } from '../timeout';
import { classifyDatabaseError } from './errors';
import { trackCheckout } from './pool-liveness';

type Queryable = Pool | PoolConnection;

/** mysql2's code when a statement's `timeout` passed before the server answered. */
const CLIENT_TIMEOUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

const isClientTimeout = (err: unknown): boolean => (err as { code?: unknown })?.code === CLIENT_TIMEOUT;

/**
 * One parameterised statement with a timeout; unavailability becomes a TransientError.
 * mysql2 gives up on a statement without telling the server, and leaves it queued on its
 * connection: a connection whose statement timed out is destroyed, never reused (through a
 * pool, the statement runs on a connection of its own for that reason).
 */
export async function query<T>(db: Queryable, sql: string, params: unknown[], timeoutMs: number): Promise<T> {
  if ('getConnection' in db) {
    const conn = await acquire(db, timeoutMs);
    try {
      return await query<T>(conn, sql, params, timeoutMs);
    } finally {
      conn.release(); // a no-op once destroyed
    }
  }
  try {
    const [rows] = await db.query({ sql, timeout: timeoutMs }, params);
    return rows as T;
  } catch (err) {
    if (isClientTimeout(err)) db.destroy();
    return classifyDatabaseError(err);
  }
}

/** Connections (mysql2's own objects, which outlive their promise wrappers) whose session is set up. */
const setUp = new WeakSet<object>();

/**
 * A pooled connection, or a TransientError when none comes within the timeout. A new
 * connection first gets its pool's session setup, bounded like any statement.
 */
export async function acquire(pool: Pool, timeoutMs: number): Promise<PoolConnection> {
  const pending = pool.getConnection();
  let conn: PoolConnection;
  try {
    conn = await withTimeout(pending, timeoutMs, () =>
      Object.assign(new Error('waiting for a MySQL connection timed out'), { code: 'ETIMEDOUT' }),
    );
  } catch (err) {
    // A connection that arrives after we gave up goes straight back.
    pending.then((c) => c.release(), () => undefined);
    return classifyDatabaseError(err);
  }
  trackCheckout(pool, conn, Date.now());
  const setup = SESSION_SETUP.get(pool);
  if (setup && !setUp.has(conn.connection)) {
    try {
      await query(conn, setup, [], timeoutMs);
    } catch (err) {
      conn.release(); // a no-op once destroyed
      throw err;
    }
    setUp.add(conn.connection);
  }
  return conn;
}

/** Epoch milliseconds → `YYYY-MM-DD HH:MM:SS.fff` in UTC, for DATETIME(6) columns (all kept in UTC). */
export function utcDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** SQL for a DATETIME(6) (kept in UTC) as ISO 8601 text with microseconds, `2026-12-07T09:00:01.120331Z`. */
export const isoText = (expression: string) => `DATE_FORMAT(${expression}, '%Y-%m-%dT%H:%i:%s.%fZ')`;
