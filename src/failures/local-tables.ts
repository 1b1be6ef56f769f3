import mysql from 'mysql2/promise';
import { notificationType } from '../codec/schema';
import type { Pool } from '../mysql/pool';
import { deadLetterTableSchema, isMapColumn, POISON_TABLE_SCHEMA, TableField } from './bigquery-schema';

/**
 * The local stand-in for the tables the BigQuery subscriptions write (the failure tables
 * here, the lifecycle events' in events/table.ts): MySQL tables with the same columns, so
 * failure tooling and event queries have data on a laptop. RECORD and JSON columns hold
 * JSON; TIMESTAMP columns are UTC DATETIME(6).
 */
export interface LocalTable {
  name: string;
  fields: readonly TableField[];
}

export const DEAD_LETTER_TABLE = 'dead_letters';
export const POISON_TABLE = 'poison_messages';

export function localTables(): { deadLetters: LocalTable; poison: LocalTable } {
  return {
    deadLetters: { name: DEAD_LETTER_TABLE, fields: deadLetterTableSchema(notificationType()) },
    poison: { name: POISON_TABLE, fields: POISON_TABLE_SCHEMA },
  };
}

const MYSQL_TYPES: Record<TableField['type'], string> = {
  STRING: 'TEXT',
  INTEGER: 'BIGINT',
  FLOAT: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  BYTES: 'LONGBLOB',
  TIMESTAMP: 'DATETIME(6)',
  JSON: 'JSON',
  RECORD: 'JSON',
};

const columnDdl = (f: TableField) => `${mysql.escapeId(f.name)} ${f.mode === 'REPEATED' ? 'JSON' : MYSQL_TYPES[f.type]} NULL`;

/** Creates the tables, and adds columns a newer proto brought (evolve the table before the schema). */
export async function ensureLocalTables(pool: Pool, tables: LocalTable[]): Promise<void> {
  for (const table of tables) {
    const indexes = ['KEY by_publish_time (publish_time)'];
    if (table.fields.some((f) => f.name === 'notification_id')) indexes.push('KEY by_notification (notification_id(128))');
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${mysql.escapeId(table.name)} (${[...table.fields.map(columnDdl), ...indexes].join(', ')}) ` +
        'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
    const [rows] = await pool.query(
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
      [table.name],
    );
    const existing = new Set((rows as { name: string }[]).map((r) => r.name));
    for (const field of table.fields.filter((f) => !existing.has(f.name))) {
      await pool.query(`ALTER TABLE ${mysql.escapeId(table.name)} ADD COLUMN ${columnDdl(field)}`);
    }
  }
}

/** Epoch microseconds → `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), exact to the microsecond. */
export function microsToDatetime(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction.toString().padStart(6, '0')}`;
}

/** A decoded value (Type.toObject shape) → what the column stores, recursively for records. */
function columnValue(field: TableField, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isMapColumn(field) && !Array.isArray(value)) {
    // A decoded map is an object; the subscription writes its entries as key/value records.
    return Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: v }));
  }
  if (field.mode === 'REPEATED' && Array.isArray(value)) {
    return value.map((v) => columnValue({ ...field, mode: 'NULLABLE' }, v));
  }
  switch (field.type) {
    case 'TIMESTAMP':
      return value instanceof Date ? value : microsToDatetime(BigInt(value as string));
    case 'RECORD':
      return Object.fromEntries(
        (field.fields ?? []).map((f) => [f.name, columnValue(f, (value as Record<string, unknown>)[f.name])]),
      );
    case 'INTEGER':
      return typeof value === 'string' ? value : Number(value);
    default:
      return value;
  }
}

/** Inserts one row; record, repeated and JSON values are stored as JSON text. */
export async function insertRow(pool: Pool, table: LocalTable, row: Record<string, unknown>): Promise<void> {
  const values = table.fields.map((f) => {
    const v = columnValue(f, row[f.name]);
    const asJson = f.type === 'RECORD' || f.type === 'JSON' || f.mode === 'REPEATED';
    return v !== null && asJson ? JSON.stringify(v) : v;
  });
  const columns = table.fields.map((f) => mysql.escapeId(f.name)).join(', ');
  await pool.query(`INSERT INTO ${mysql.escapeId(table.name)} (${columns}) VALUES (?)`, [values]);
}
