import type { Pool } from '../mysql/pool';
import { EVENTS_TABLE } from './table';
import { FunnelStage, funnelSql, STAGE_COLUMNS } from './views';

/** One row of the funnel: a day's deliveries of one channel, type and source, by stage. */
export type FunnelRow = {
  /** UTC day (YYYY-MM-DD) of the deliveries' first event. */
  day: string;
  channel: string | null;
  type: string | null;
  source: string | null;
  delivery_rate: number | null;
  send_rate: number | null;
} & Record<FunnelStage, number>;

const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * The notification_funnel view's query run on the local stand-in table (`npm start`), from
 * `since` (a UTC day, YYYY-MM-DD) on, oldest day first. The rates are DECIMAL in MySQL, which
 * mysql2 returns as text: they come back as numbers, like BigQuery's FLOAT64.
 */
export async function localFunnel(pool: Pool, since = '1970-01-01'): Promise<FunnelRow[]> {
  const sql = `SELECT * FROM (\n${funnelSql(`\`${EVENTS_TABLE}\``)}\n) AS funnel\nWHERE day >= ?\nORDER BY day, channel, type, source`;
  const [rows] = await pool.query({ sql, values: [since], dateStrings: true });
  return (rows as Record<string, unknown>[]).map((r) => ({
    ...(r as FunnelRow),
    ...Object.fromEntries(STAGE_COLUMNS.map((s) => [s, Number(r[s])])),
    delivery_rate: numberOrNull(r.delivery_rate),
    send_rate: numberOrNull(r.send_rate),
  }));
}
