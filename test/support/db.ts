import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { migrate } from '../../src/mysql/migrate';
import { MYSQL_ROOT_URL } from './env';

export interface TestDatabase {
  url: string;
  name: string;
  pool: mysql.Pool;
  /** The ledger row for a key, or undefined. */
  row(notificationId: string, channel?: string): Promise<Record<string, unknown> | undefined>;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the test server: one per test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `notifier_t_${randomBytes(4).toString('hex')}`;
  const u = new URL(MYSQL_ROOT_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  const pool = mysql.createPool({ uri: url, connectionLimit: 4 });
  return {
    url,
    name,
    pool,
    async row(notificationId, channel = 'EMAIL') {
      const [rows] = await pool.query(
        'SELECT * FROM delivery_ledger WHERE notification_id = ? AND channel = ?',
        [notificationId, channel],
      );
      return (rows as Record<string, unknown>[])[0];
    },
    async drop() {
      await pool.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
      await pool.end();
    },
  };
}
