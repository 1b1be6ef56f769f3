import type { Suppression, SuppressionEntry, SuppressionKey, SuppressionReason, SuppressionStore } from '../delivery/suppression';
import type { Pool } from './pool';
import { isoText, query } from './sql';


/** The entry for one address (a primary-key read), read with the ledger row (ledger.ts). */
export const SELECT_SUPPRESSION = 'SELECT reason, mandatory_too FROM suppressions WHERE channel = ? AND address_hash = ?';

export interface SuppressionRow {
  reason: SuppressionReason;
  mandatory_too: number | boolean;
}

export const toSuppression = (r: SuppressionRow): Suppression => ({ reason: r.reason, mandatoryToo: Boolean(r.mandatory_too) });

interface Row extends SuppressionRow {
  channel: SuppressionKey['channel'];
  address_hash: string;
  source: string;
  notification_id: string | null;
  created_at_text: string;
}

const COLUMNS = `channel, address_hash, reason, mandatory_too, source, notification_id, ${isoText('created_at')} AS created_at_text`;

const toEntry = (r: Row): SuppressionEntry => ({
  channel: r.channel,
  addressHash: r.address_hash,
  ...toSuppression(r),
  source: r.source,
  ...(r.notification_id !== null && { notificationId: r.notification_id }),
  createdAt: r.created_at_text,
});

/** The suppression list on MySQL (migration 0008). */
export function makeMysqlSuppressionStore(pool: Pool, opts: { timeoutMs: number }): SuppressionStore {
  const run = <T>(sql: string, params: unknown[]) => query<T>(pool, sql, params, opts.timeoutMs);
  return {
    // A plain INSERT: mysql2's FOUND_ROWS flag counts a no-op ON DUPLICATE KEY UPDATE as a row, like an insert.
    async add(key, e) {
      try {
        await run('INSERT INTO suppressions (channel, address_hash, reason, mandatory_too, source, notification_id) VALUES (?, ?, ?, ?, ?, ?)', [
          key.channel, key.addressHash, e.reason, e.mandatoryToo, e.source, e.notificationId ?? null,
        ]);
        return true;
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ER_DUP_ENTRY') return false;
        throw err;
      }
    },
    async get(key) {
      const rows = await run<Row[]>(`SELECT ${COLUMNS} FROM suppressions WHERE channel = ? AND address_hash = ?`, [key.channel, key.addressHash]);
      return rows[0] && toEntry(rows[0]);
    },
    async remove(key) {
      const result = await run<{ affectedRows: number }>('DELETE FROM suppressions WHERE channel = ? AND address_hash = ?', [key.channel, key.addressHash]);
      return result.affectedRows > 0;
    },
    async list({ channel, limit }) {
      const where = channel ? 'WHERE channel = ?' : '';
      const rows = await run<Row[]>(`SELECT ${COLUMNS} FROM suppressions ${where} ORDER BY created_at DESC LIMIT ?`, [...(channel ? [channel] : []), limit]);
      return rows.map(toEntry);
    },
  };
}
