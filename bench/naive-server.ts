/**
 * The baseline the notifier is measured against: a deliberately naive skeleton of the
 * seed design (shared/seeds/003) behind the same POST /pubsub/push contract —
 * GET_LOCK, read ledger, insert, send, update, RELEASE_LOCK, one statement per round
 * trip, no fast path, no validation, no logging. It runs as a child process, like the
 * notifier, on its own table in its own database.
 *
 * It sends through the notifier's own email channel and pool factory, so that SMTP and
 * MySQL driver settings (pool sizes, Nagle off, timeouts) are identical and the ratio
 * measures the delivery design, not transport tuning.
 *
 * env: those of push-server.ts, MYSQL_URL, MYSQL_POOL_SIZE
 */
import { CHANNELS, Notification } from '../src/codec/notification';
import type { Channel } from '../src/delivery/ports';
import { createPool, Pool, PoolConnection } from '../src/mysql/pool';
import { readPush, runPushServer } from './push-server';

const NAIVE_TABLE = `
CREATE TABLE IF NOT EXISTS naive_ledger (
  notification_id VARCHAR(128) NOT NULL PRIMARY KEY,
  status VARCHAR(16) NOT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB`;

interface JsonNotification {
  notificationId: string;
  accountId?: string;
  type?: string;
  email: { to: string; subject?: string; text?: string };
}

/** Proto3 JSON, read the naive way: trust the producer. */
function decode(body: Buffer): Notification {
  const n = JSON.parse(readPush(body).data.toString('utf8')) as JsonNotification;
  return {
    notificationId: n.notificationId,
    accountId: n.accountId ?? '',
    type: n.type ?? '',
    channel: CHANNELS.EMAIL,
    source: '',
    createdAtMicros: 0n,
    expiresAtMicros: 0n,
    email: { to: n.email.to, subject: n.email.subject ?? '', text: n.email.text ?? '', html: '' },
  };
}

async function deliverLocked(conn: PoolConnection, email: Channel, n: Notification): Promise<number> {
  const id = n.notificationId;
  const [rows] = await conn.query('SELECT status FROM naive_ledger WHERE notification_id = ?', [id]);
  const row = (rows as { status: string }[])[0];
  if (row?.status === 'sent') return 204;
  if (!row) await conn.query("INSERT INTO naive_ledger (notification_id, status) VALUES (?, 'sending')", [id]);
  await email.send(n);
  await conn.query("UPDATE naive_ledger SET status = 'sent' WHERE notification_id = ?", [id]);
  return 204;
}

async function deliver(pool: Pool, email: Channel, body: Buffer): Promise<number> {
  const n = decode(body);
  const lock = `naive:${n.notificationId}`;
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query('SELECT GET_LOCK(?, 1) AS got', [lock]);
    if ((rows as { got: number }[])[0]?.got !== 1) return 409;
    try {
      return await deliverLocked(conn, email, n);
    } finally {
      await conn.query('DO RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    conn.release();
  }
}

if (require.main === module) {
  runPushServer('naive-server', async (env, email) => {
    const pool = createPool({ url: env('MYSQL_URL'), size: Number(env('MYSQL_POOL_SIZE')), timeoutMs: 5000 });
    await pool.query(NAIVE_TABLE);
    return { handle: (body) => deliver(pool, email, body), close: () => pool.end() };
  });
}
