import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { loadMigrations, migrate } from '../src/mysql/migrate';

/** src/paths.ts resolves from its own file, which under dist-bench/ is one level too deep. */
const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/** The heavy user of seed 001: every seeded row and every benchmark notification is theirs. */
export const HEAVY_ACCOUNT = 'acct-heavy';

export interface BenchDatabases {
  /** The notifier's ledger, empty at the start (seed 001's "light user" baseline). */
  empty: string;
  /** The notifier's ledger with `ledgerRows` rows of the same account. */
  large: string;
  /** The naive skeleton's own database. */
  naive: string;
  drop(): Promise<void>;
}

const withDb = (rootUrl: string, name: string) => {
  const u = new URL(rootUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Three fresh databases with a random suffix, so parallel runs never share one. */
export async function createBenchDatabases(rootUrl: string): Promise<BenchDatabases> {
  const suffix = randomBytes(4).toString('hex');
  const names = { empty: `bench_${suffix}_empty`, large: `bench_${suffix}_1m`, naive: `bench_${suffix}_naive` };
  const root = await mysql.createConnection(withDb(rootUrl, ''));
  const drop = async () => {
    for (const name of Object.values(names)) await root.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
    await root.end();
  };
  try {
    await root.query(`CREATE DATABASE ${mysql.escapeId(names.naive)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const migrations = await loadMigrations(MIGRATIONS_DIR);
    await migrate(withDb(rootUrl, names.empty), migrations);
    await migrate(withDb(rootUrl, names.large), migrations);
  } catch (err) {
    await drop();
    throw err;
  }
  return {
    empty: withDb(rootUrl, names.empty),
    large: withDb(rootUrl, names.large),
    naive: withDb(rootUrl, names.naive),
    drop,
  };
}

const ROWS_PER_INSERT = 10_000;

/**
 * IDs shaped like the benchmark's own (`n-` + UUID) and spread evenly over that key
 * space, but generated in ascending order: each multi-row INSERT appends to the
 * primary key instead of splitting random pages, which keeps 1M rows well under a
 * minute, while new deliveries still land on random leaves of a 1M-row tree.
 */
export function seedId(i: number, rows: number): string {
  const prefix = Math.floor((i * 0x1_0000_0000) / rows).toString(16).padStart(8, '0');
  return `n-${prefix}${randomUUID().slice(8)}`;
}

function seedRows(start: number, end: number, rows: number): unknown[][] {
  const values = [];
  for (let i = start; i < end; i++) {
    const id = seedId(i, rows);
    values.push([id, 'EMAIL', 'sent', 1, 'order.shipped', HEAVY_ACCOUNT, `seed-${i}`, `seed-${i}`, `<${id}@bench>`]);
  }
  return values;
}

const INSERT_SEED = `INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type,
  account_id, first_message_id, last_message_id, provider_message_id) VALUES ?`;

/**
 * Fills the ledger with `rows` sent EMAIL notifications of the heavy account. The next
 * statement is built while the server runs the previous one.
 */
export async function seedLedger(url: string, rows: number, progress: (done: number) => void): Promise<void> {
  const conn = await mysql.createConnection(url);
  try {
    let running: Promise<unknown> = Promise.resolve();
    for (let start = 0; start < rows; start += ROWS_PER_INSERT) {
      const values = seedRows(start, Math.min(rows, start + ROWS_PER_INSERT), rows);
      await running;
      running = conn.query(INSERT_SEED, [values]);
      if ((start / ROWS_PER_INSERT) % 25 === 24) progress(start);
    }
    await running;
  } finally {
    await conn.end();
  }
}

/**
 * The ledger's size next to the InnoDB buffer pool: whether a 1M-row ledger still fits
 * in memory decides whether per-message lookups can stay O(1) in practice.
 */
export async function ledgerFootprint(url: string): Promise<{ tableMb: number; bufferPoolMb: number }> {
  const conn = await mysql.createConnection(url);
  try {
    await conn.query('ANALYZE TABLE delivery_ledger');
    const [rows] = await conn.query(
      `SELECT (data_length + index_length) / 1048576 AS tableMb, @@innodb_buffer_pool_size / 1048576 AS bufferPoolMb
       FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = 'delivery_ledger'`,
    );
    const row = (rows as { tableMb: string; bufferPoolMb: string }[])[0]!;
    return { tableMb: Number(row.tableMb), bufferPoolMb: Number(row.bufferPoolMb) };
  } finally {
    await conn.end();
  }
}

/**
 * Waits (at most `maxMs`) until InnoDB has flushed most of what the seed wrote: right after
 * 1M inserts the redo checkpoint age sits near its maximum, and every commit then waits for
 * page flushing — a stall that would land on whichever batch runs first. MariaDB reports the
 * age as a status variable; elsewhere this returns at once.
 */
export async function waitForFlush(url: string, maxMs: number): Promise<string> {
  const conn = await mysql.createConnection(url);
  const started = Date.now();
  try {
    for (;;) {
      const [rows] = await conn.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_checkpoint_age', 'Innodb_checkpoint_max_age')");
      const status = Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]));
      const share = status.Innodb_checkpoint_age! / status.Innodb_checkpoint_max_age!;
      if (!Number.isFinite(share)) return 'no checkpoint age reported';
      const waited = `${((Date.now() - started) / 1000).toFixed(0)} s`;
      if (share < 0.25) return `checkpoint age ${(share * 100).toFixed(0)}% of max after ${waited}`;
      if (Date.now() - started > maxMs) return `checkpoint age still ${(share * 100).toFixed(0)}% of max after ${waited}`;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await conn.end();
  }
}
