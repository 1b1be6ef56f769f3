import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { Pool } from '../../src/mysql/pool';
import { Cleanup } from './cleanup';

/**
 * The notifier connects to MySQL as a user of its own, created per drill with rights on
 * the drill's database only. That is how a drill tells the notifier's connections from
 * the harness's (its pool, the BigQuery stand-in, migrations — all root): PROCESSLIST's
 * USER column. Thread IDs would not do: pools open and replace connections at any time,
 * so a list of the harness's IDs goes stale between reading it and killing; connection
 * attributes need performance_schema, which MariaDB leaves off.
 */
export interface NotifierUser {
  name: string;
  /** `databaseUrl` with this user's credentials: the notifier's MYSQL_URL. */
  url: string;
}

/** Creates the user (dropped by the cleanup) on the server of `rootUrl`. */
export async function createNotifierUser(rootUrl: string, databaseUrl: string, cleanup: Cleanup): Promise<NotifierUser> {
  const name = `drill_notifier_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = async (sql: string) => {
    const conn = await mysql.createConnection({ uri: rootUrl });
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
  const account = `${mysql.escape(name)}@'%'`;
  cleanup.add(`drop user ${name}`, () => admin(`DROP USER IF EXISTS ${account}`));
  await admin(`CREATE USER ${account} IDENTIFIED BY ${mysql.escape(password)}`);
  await admin(`GRANT ALL PRIVILEGES ON ${mysql.escapeId(database)}.* TO ${account}`);
  const u = new URL(databaseUrl);
  u.username = name;
  u.password = password;
  return { name, url: u.toString() };
}

/** MySQL error for KILL of a thread that ended in the meantime. */
const ER_NO_SUCH_THREAD = 1094;

/**
 * `KILL` (the connection, not only its statement) every connection of `user`, as a
 * network failure or a server-side timeout would end them; the server drops their
 * GET_LOCK locks with them. Returns how many were killed.
 */
export async function killConnectionsOf(pool: Pool, user: string): Promise<number> {
  const [rows] = await pool.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
  const killed = await Promise.all(
    (rows as { id: number }[]).map(({ id }) =>
      pool.query(`KILL CONNECTION ${Number(id)}`).then(
        () => 1,
        (err: { errno?: number }) => {
          if (err.errno === ER_NO_SUCH_THREAD) return 0;
          throw err;
        },
      ),
    ),
  );
  return killed.reduce<number>((a, b) => a + b, 0);
}
