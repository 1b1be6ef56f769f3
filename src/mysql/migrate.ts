import { promises as fs } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { MIGRATIONS_DIR } from '../paths';
import { connectionOptions } from './connection-options';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `migrations/NNNN_name.sql`, in version order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: await fs.readFile(path.join(dir, file), 'utf8'),
    })),
  );
}

/**
 * Creates the database if needed and applies every migration not yet recorded in
 * `schema_migrations`. Safe to run concurrently (a named lock serialises runners) and
 * repeatedly (applied versions are skipped; each file is itself idempotent DDL).
 * Returns the names applied by this run.
 */
export async function migrate(mysqlUrl: string, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const u = new URL(mysqlUrl);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new Error('MYSQL_URL must name a database, e.g. mysql://root@127.0.0.1:3306/notifier');
  // Without the database: it may not exist yet.
  const conn = await mysql.createConnection({ ...connectionOptions(mysqlUrl), database: undefined, multipleStatements: true });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await conn.query(`USE ${mysql.escapeId(database)}`);
    await conn.query("SELECT GET_LOCK('notifier:migrate', 60)");
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
      ) ENGINE=InnoDB`);
      const [rows] = await conn.query('SELECT version FROM schema_migrations');
      const done = new Set((rows as { version: number }[]).map((r) => r.version));
      const applied: string[] = [];
      for (const m of all.filter((m) => !done.has(m.version))) {
        await conn.query(m.sql);
        await conn.query('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
        applied.push(m.name);
      }
      return applied;
    } finally {
      await conn.query("DO RELEASE_LOCK('notifier:migrate')");
    }
  } finally {
    await conn.end();
  }
}
