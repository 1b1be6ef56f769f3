import mysql from 'mysql2/promise';
import { connectionOptions } from './connection-options';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;

export interface PoolOptions {
  url: string;
  size: number;
  timeoutMs: number;
}

/** A mysql2 pool from a `mysql://user:pass@host:port/db` URL (see connectionOptions). */
export function createPool(opts: PoolOptions): Pool {
  return mysql.createPool({
    ...connectionOptions(opts.url),
    connectionLimit: opts.size,
    connectTimeout: opts.timeoutMs,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    supportBigNumbers: true,
  });
}
