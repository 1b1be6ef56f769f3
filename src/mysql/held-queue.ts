import { appendHistory, historyEntry } from './ledger-history';
import type { ClaimRequest, HeldQueue, HeldRow } from '../delivery/release-held';
import type { DeliveryKey } from '../delivery/ports';
import type { Pool } from './pool';
import { query, utcDatetime } from './sql';

export interface MysqlHeldQueueOptions {
  timeoutMs: number;
}

/**
 * One statement claims: InnoDB locks the rows it updates, so a concurrent claim waits, then
 * re-reads them as `releasing` with a fresh claim and skips them. Served by idx_held_due
 * (status, release_at): a range per status, sorted for ORDER BY.
 */
const CLAIM = `
UPDATE held_notifications
SET status = 'releasing', claim_token = ?, claimed_at = ?
WHERE status IN ('held', 'releasing') AND release_at <= ?
  AND (status = 'held' OR claimed_at < ?)
ORDER BY release_at
LIMIT ?`;

/** Only `releasing` rows can carry a token, so idx_held_due bounds this to in-flight claims. */
const CLAIMED = `
SELECT notification_id, target, data, attributes, source_message_id, expires_at
FROM held_notifications
WHERE status = 'releasing' AND release_at <= ? AND claim_token = ?
ORDER BY release_at`;

const RELEASED = `
UPDATE held_notifications SET status = 'released', claim_token = NULL
WHERE notification_id = ? AND target = ? AND status = 'releasing' AND claim_token = ?`;

const EXPIRED = `
UPDATE held_notifications SET status = 'expired', claim_token = NULL
WHERE notification_id = ? AND target = ? AND status = 'releasing' AND claim_token = ?`;

/** Only a row still held: a delivery may have settled it meanwhile (the ledger is the truth). */
const LEDGER_EXPIRED = `
UPDATE delivery_ledger SET status = 'expired', ${appendHistory(historyEntry("'expired'", 'NULL'))}
WHERE notification_id = ? AND channel = ? AND status = 'held'`;

/** The rows by primary key, in one statement (a batch holds at most 5000: 10000 parameters). */
const unclaimSql = (count: number) => `
UPDATE held_notifications SET status = 'held', claim_token = NULL, claimed_at = NULL
WHERE status = 'releasing' AND claim_token = ?
  AND (notification_id, target) IN (${Array.from({ length: count }, () => '(?, ?)').join(', ')})`;

interface ClaimedRow {
  notification_id: string;
  target: string;
  data: Buffer;
  attributes: string;
  source_message_id: string;
  expires_at: Date | null;
}

const toHeldRow = (r: ClaimedRow): HeldRow => ({
  notificationId: r.notification_id,
  channel: r.target,
  data: r.data,
  attributes: JSON.parse(r.attributes) as Record<string, string>,
  sourceMessageId: r.source_message_id,
  // The pool reads DATETIME as UTC (connection option timezone 'Z'), as it was written.
  expiresAtMs: r.expires_at === null ? undefined : r.expires_at.getTime(),
});

/** Held notifications on MySQL (`held_notifications`); every instant is a UTC parameter from the clock. */
export function makeMysqlHeldQueue(pool: Pool, opts: MysqlHeldQueueOptions): HeldQueue {
  const { timeoutMs } = opts;
  const keyed = (sql: string, key: DeliveryKey, token: string) =>
    query<{ affectedRows: number }>(pool, sql, [key.notificationId, key.channel, token], timeoutMs);

  return {
    async claim(req: ClaimRequest) {
      const now = utcDatetime(req.nowMs);
      await query(pool, CLAIM, [req.token, now, now, utcDatetime(req.staleBeforeMs), req.limit], timeoutMs);
      const rows = await query<ClaimedRow[]>(pool, CLAIMED, [now, req.token], timeoutMs);
      return rows.map(toHeldRow);
    },
    async markReleased(key, token) {
      return (await keyed(RELEASED, key, token)).affectedRows === 1;
    },
    async markExpired(key, token) {
      // Ledger first: a crash in between leaves the row claimed, and the retry finds the ledger done.
      await query(pool, LEDGER_EXPIRED, [key.notificationId, key.channel], timeoutMs);
      await keyed(EXPIRED, key, token);
    },
    async unclaim(keys, token) {
      if (keys.length === 0) return;
      const params = [token, ...keys.flatMap((k) => [k.notificationId, k.channel])];
      await query(pool, unclaimSql(keys.length), params, timeoutMs);
    },
  };
}
