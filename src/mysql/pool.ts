import mysql from 'mysql2/promise';
import { connectionOptions } from './connection-options';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;

export interface PoolOptions {
  url: string;
  size: number;
  /** The client's bound for one statement (MYSQL_TIMEOUT_MS); see serverWaitSeconds. */
  timeoutMs: number;
  /**
   * Several `;`-separated statements in one round trip: only for the ledger's own pool,
   * whose statements are fixed text with `?` placeholders (ledger.ts).
   */
  multipleStatements?: boolean;
}

/**
 * How long the server may wait for a row or metadata lock: whole seconds, at least one below
 * the client's timeout. The server then gives up (and rolls the statement back) before the
 * client does, so a statement the client reports as failed did not commit behind its back.
 */
export function serverWaitSeconds(timeoutMs: number): number {
  return Math.max(1, Math.floor(timeoutMs / 1000) - 1);
}

/** Each pool's per-connection session setup, run by `acquire` (sql.ts) before a connection's first use. */
export const SESSION_SETUP = new WeakMap<Pool, string>();

/** Pools created with `multipleStatements` (the ledger asks for one). */
export const MULTI_STATEMENT_POOLS = new WeakSet<Pool>();

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
    multipleStatements: opts.multipleStatements ?? false,
    // Otherwise each statement captures a stack trace for its possible error: 6% of a delivery's CPU.
    trace: false,
  });
  // MySQL 8 and MariaDB both have these. Not on mysql2's 'connection' event: a statement
  // queued there has no timeout, and everything queued behind it would wait for good.
  const wait = serverWaitSeconds(opts.timeoutMs);
  const timeouts = `SET SESSION innodb_lock_wait_timeout = ${wait}, lock_wait_timeout = ${wait}`;
  if (opts.multipleStatements) MULTI_STATEMENT_POOLS.add(pool);
  // The ledger's pool (the one with multipleStatements) reads committed data: under REPEATABLE
  // READ the first claim's INSERT … SELECT … NOT EXISTS takes a shared gap lock, and two first
  // claims of keys in one gap deadlock. The named lock, not isolation, is what serialises a key.
  SESSION_SETUP.set(pool, opts.multipleStatements ? `${timeouts};SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED` : timeouts);
  return pool;
}
