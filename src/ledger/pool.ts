import mysql from 'mysql2/promise';
import { connectionOptions } from './connection-options';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;

export interface PoolOptions {
  url: string;
  size: number;
  /** The client's bound for one statement (MYSQL_TIMEOUT_MS); see serverWaitSeconds. */
  timeoutMs: number;
}

/**
 * How long the server may wait for a row or metadata lock: whole seconds, at least one below
 * the client's timeout. The server then gives up (and rolls the statement back) before the
 * client does, so a statement the client reports as failed did not commit behind its back.
 */
export function serverWaitSeconds(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000) - 1);
}

/** A mysql2 pool from a `mysql://user:pass@host:port/db` URL (see connectionOptions). */
export function createPool(opts: PoolOptions): Pool {
  const pool = mysql.createPool({
    ...connectionOptions(opts.url),
    connectionLimit: opts.size,
    connectTimeout: opts.timeoutMs,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    supportBigNumbers: true,
  });
  // Queued before anything else on each new connection; MySQL 8 and MariaDB both have these.
  const wait = serverWaitSeconds(opts.timeoutMs);
  pool.on('connection', (conn) => {
    // mysql2 passes this event the callback-style connection, whatever its typings say.
    const core = conn as unknown as { query(sql: string, callback: (err: unknown) => void): void };
    core.query(`SET SESSION innodb_lock_wait_timeout = ${wait}, lock_wait_timeout = ${wait}`, () => undefined);
  });
  return pool;
}
