import mysql from 'mysql2/promise';
import { connectionOptions } from '../mysql/connection-options';
import { DEAD_LETTER_TABLE, POISON_TABLE } from './local-tables';
import { BuiltQuery, Tables } from './query';
import { FailureStore, queryMethods, Row } from './store';

const TABLES: Tables = { deadLetters: DEAD_LETTER_TABLE, poison: POISON_TABLE };

/** The local stand-in tables (`npm start`) in the database named by `url`. */
export function makeMysqlFailureStore(url: string): FailureStore {
  // DATETIME(6) as text keeps microseconds, which a JS Date would drop.
  const pool = mysql.createPool({ ...connectionOptions(url), connectionLimit: 2, dateStrings: true });
  const run = async (q: BuiltQuery): Promise<Row[]> => {
    const values = q.order.map((name) => {
      const v = q.params[name];
      return v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v;
    });
    try {
      const [rows] = await pool.query(q.sql, values);
      return rows as Row[];
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_NO_SUCH_TABLE') {
        throw new Error(`no failure tables in ${new URL(url).pathname.slice(1)}: they are created by npm start (the BigQuery stand-in)`);
      }
      throw err;
    }
  };
  return {
    name: `MySQL ${new URL(url).host}${new URL(url).pathname}`,
    ...queryMethods('mysql', TABLES, run),
    close: () => pool.end(),
  };
}
