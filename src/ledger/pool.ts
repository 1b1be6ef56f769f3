import mysql from 'mysql2/promise';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;

export interface PoolOptions {
  url: string;
  size: number;
  timeoutMs: number;
}

/** A mysql2 pool from a `mysql://user:pass@host:port/db` URL. */
export function createPool(opts: PoolOptions): Pool {
  const u = new URL(opts.url);
  return mysql.createPool({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    connectionLimit: opts.size,
    connectTimeout: opts.timeoutMs,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
  });
}
