import { createHash, randomBytes } from 'node:crypto';
import {
  DeliveryKey,
  HeldMessage,
  Ledger,
  LedgerEntry,
  LedgerWrite,
  LOCK_BUSY,
  LockedLedger,
  Lookup,
  LookupAlso,
  TERMINAL_STATUSES,
} from '../delivery/ports';
import { SELECT_SUPPRESSION, SuppressionRow, toSuppression } from './suppressions';
import type { ResultSetHeader } from 'mysql2';
import { MULTI_STATEMENT_POOLS, Pool, PoolConnection } from './pool';
import { PolicyRow, policyStatement, toPolicy } from './settings-store';
import { acquire, query, utcDatetime } from './sql';
import { appendHistory, historyEntry, newHistory } from './ledger-history';
import { STATUS_EVENTS } from '../delivery/events';
import { ROUTED_KEY } from '../delivery/routing';

export interface MysqlLedgerOptions {
  lockWaitSeconds: number;
  timeoutMs: number;
}

/** The row's age by the database's clock: every instance measures it alike. */
const SELECT_ENTRY = `
SELECT status, attempts, replays, last_replay_message_id,
  TIMESTAMPDIFF(MICROSECOND, updated_at, NOW(6)) DIV 1000 AS age_ms
FROM delivery_ledger WHERE notification_id = ? AND channel = ?`;

interface EntryRow {
  status: LedgerEntry['status'];
  attempts: number;
  replays: number;
  last_replay_message_id: string | null;
  age_ms: number | string;
}

const toEntry = (row: EntryRow | undefined): LedgerEntry | undefined =>
  row && {
    status: row.status,
    attempts: row.attempts,
    replays: row.replays,
    lastReplayMessageId: row.last_replay_message_id ?? undefined,
    ageMs: Number(row.age_ms),
  };

const COLUMNS = `
  (notification_id, channel, status, attempts, notification_type, account_id,
   first_message_id, last_message_id, provider_message_id, failure_code, last_error,
   replays, last_replay_message_id, release_at, send_claim, template, history)`;

/** The values of COLUMNS: 18 parameters (upsertParams), the last two the history entry's. */
const VALUES = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${newHistory()}`;

const UPSERT = `
INSERT INTO delivery_ledger ${COLUMNS}
VALUES (${VALUES})
ON DUPLICATE KEY UPDATE
  ${appendHistory("JSON_EXTRACT(VALUES(history), '$[0]')")},
  release_at = VALUES(release_at),
  status = VALUES(status),
  attempts = VALUES(attempts),
  replays = VALUES(replays),
  last_replay_message_id = VALUES(last_replay_message_id),
  last_message_id = VALUES(last_message_id),
  provider_message_id = COALESCE(VALUES(provider_message_id), provider_message_id),
  failure_code = VALUES(failure_code),
  last_error = VALUES(last_error),
  send_claim = VALUES(send_claim),
  template = COALESCE(VALUES(template), template)`;

const TERMINAL = [...TERMINAL_STATUSES];
/** Whether the row is terminal: the policy read beside it is then skipped on the server. */
const SELECT_TERMINAL = `SELECT 1 FROM delivery_ledger WHERE notification_id = ? AND channel = ? AND status IN (${TERMINAL.map(() => '?').join(', ')})`;

/** The lock, then the row as it is once the lock is held (one round trip with what follows). */
const LOCK_AND_READ = `SELECT GET_LOCK(?, ?) AS got;${SELECT_ENTRY}`;

/**
 * A first send's claim, in the lock's round trip, after the read: only while this
 * connection holds the lock and no row exists (the read saw none, and nobody else writes
 * under the lock), so it claims exactly what `claim` would have.
 */
const FIRST_CLAIM = `
INSERT INTO delivery_ledger ${COLUMNS}
SELECT ${VALUES} FROM DUAL
WHERE IS_USED_LOCK(?) = CONNECTION_ID()
  AND NOT EXISTS (SELECT 1 FROM delivery_ledger WHERE notification_id = ? AND channel = ?)`;

/** A send's outcome, and the lock released with it. */
const RECORD_AND_RELEASE = `${UPSERT};DO RELEASE_LOCK(?)`;

/**
 * A send's outcome through another connection (the lock's died): only onto this delivery's
 * own claim, so a late write never overwrites what a later delivery decided.
 */
const RECORD_ON_CLAIM = `
UPDATE delivery_ledger SET status = ?, attempts = ?, last_message_id = ?,
  provider_message_id = COALESCE(?, provider_message_id), failure_code = ?, last_error = ?, send_claim = NULL,
  ${appendHistory()}
WHERE notification_id = ? AND channel = ? AND send_claim = ?`;

/** Puts a claim whose write the client never saw succeed back to `pending`: only this claim, never another's. */
const WITHDRAW_CLAIM = `
UPDATE delivery_ledger SET status = 'pending', send_claim = NULL, ${appendHistory(historyEntry("'retry'", "'CLAIM_WITHDRAWN'"))}
WHERE notification_id = ? AND channel = ? AND status = 'sending' AND send_claim = ?`;

/** The first copy of a held message is kept: a redelivery of it holds the same message. */
const KEEP_HELD = `
INSERT INTO held_notifications
  (notification_id, target, account_id, status, release_at, expires_at, source_message_id, data, attributes)
VALUES (?, ?, ?, 'held', ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE notification_id = notification_id`;

/** A write's history entry: the event its status is (a routed notification's fan-out is `routed`), and its code. */
const historyParams = (key: DeliveryKey, w: Pick<LedgerWrite, 'status' | 'failureCode'>) => [
  key.channel === ROUTED_KEY && w.status === 'sent' ? 'routed' : STATUS_EVENTS[w.status],
  w.failureCode ?? null,
];

/**
 * Lock names are per server and at most 64 characters: hash the key so any
 * notification_id fits and no two keys share a name in practice.
 */
export function lockName(key: DeliveryKey): string {
  const digest = createHash('sha256').update(`${key.notificationId}\u0000${key.channel}`).digest('hex');
  return `notifier:${digest.slice(0, 48)}`;
}

/** The fields that make two claims the same claim. */
const sameClaim = (a: Omit<LedgerWrite, 'status'>, b: Omit<LedgerWrite, 'status'>) =>
  a.attempts === b.attempts && a.type === b.type && a.accountId === b.accountId && a.messageId === b.messageId &&
  a.replays === b.replays && a.lastReplayMessageId === b.lastReplayMessageId;

/**
 * The delivery ledger and per-key named locks on MySQL. `pool` must allow multiple
 * statements (createPool's `multipleStatements`): a first delivery costs three round trips —
 * the row with the account's policy; the lock, the row and the first claim; the outcome with
 * the lock's release.
 */
export function makeMysqlLedger(pool: Pool, opts: MysqlLedgerOptions): Ledger {
  if (!MULTI_STATEMENT_POOLS.has(pool)) throw new Error('the ledger needs a pool created with multipleStatements: true');
  const { timeoutMs } = opts;

  async function find(key: DeliveryKey): Promise<LedgerEntry | undefined> {
    const rows = await query<EntryRow[]>(pool, SELECT_ENTRY, [key.notificationId, key.channel], timeoutMs);
    return toEntry(rows[0]);
  }

  /** The row, and beside it only what was asked for, each skipped on the server once the row is terminal. */
  async function lookup(key: DeliveryKey, also: LookupAlso, evenIfTerminal = false): Promise<Lookup> {
    const keyParams = [key.notificationId, key.channel];
    const unlessTerminal = evenIfTerminal ? { sql: '', params: [] } : { sql: ` AND NOT EXISTS (${SELECT_TERMINAL})`, params: [...keyParams, ...TERMINAL] };
    const policy = also.account && policyStatement(also.account.accountId, also.account.type);
    const statements = [
      { sql: SELECT_ENTRY, params: keyParams },
      ...(policy ? [{ sql: policy.sql + unlessTerminal.sql, params: [...policy.params, ...unlessTerminal.params] }] : []),
      ...(also.suppression ? [{ sql: SELECT_SUPPRESSION + unlessTerminal.sql, params: [also.suppression.channel, also.suppression.addressHash, ...unlessTerminal.params] }] : []),
    ];
    if (statements.length === 1) return { entry: await find(key) };
    const results = await query<unknown[][]>(pool, statements.map((st) => st.sql).join(';'), statements.flatMap((st) => st.params), timeoutMs);
    const [entries, ...rest] = results as [EntryRow[], ...unknown[][]];
    const rules = policy ? (rest.shift() as PolicyRow[]) : undefined;
    const suppression = also.suppression ? (rest.shift() as SuppressionRow[])[0] : undefined;
    return {
      entry: toEntry(entries[0]),
      ...(rules && { policy: toPolicy(rules) }),
      ...(suppression && { suppressed: toSuppression(suppression) }),
    };
  }

  const upsertParams = (key: DeliveryKey, w: LedgerWrite, claim: string | null = null) => [
    key.notificationId, key.channel, w.status, w.attempts, w.type, w.accountId,
    w.messageId, w.messageId, w.providerMessageId ?? null, w.failureCode ?? null, w.error ?? null,
    w.replays, w.lastReplayMessageId ?? null, w.releaseAtMs === undefined ? null : utcDatetime(w.releaseAtMs), claim,
    w.template ?? null, ...historyParams(key, w),
  ];
  const upsert = (db: Pool | PoolConnection, key: DeliveryKey, w: LedgerWrite, claim: string | null = null) =>
    query(db, UPSERT, upsertParams(key, w, claim), timeoutMs);
  /**
   * The claim failed, so no send starts; but the server may still commit it. The statement
   * is killed on the server (the client's timeout only abandoned it there), then the row is
   * read afresh: still carrying this claim, it goes back to `pending`. Best effort: if MySQL
   * is unreachable the row may stay `sending` and ends as an unknown outcome later.
   */
  async function withdrawClaim(conn: PoolConnection, key: DeliveryKey, claim: string) {
    const thread = conn.threadId;
    conn.destroy();
    // The statement only: once it ends, the server finds the connection closed and drops its lock.
    await query(pool, 'KILL QUERY ?', [thread], timeoutMs).catch(() => undefined);
    await query(pool, WITHDRAW_CLAIM, [key.notificationId, key.channel, claim], timeoutMs).catch(() => undefined);
  }

  /** What the lock's round trip found: the row, and the first claim when it was made. */
  interface Locking {
    row: LedgerEntry | undefined;
    firstClaim?: { token: string; write: Omit<LedgerWrite, 'status'> };
    /** Set once `record` released the lock. */
    released: boolean;
  }

  function locked(conn: PoolConnection, key: DeliveryKey, name: string, locking: Locking): LockedLedger {
    const held = () => {
      if (locking.released) throw new Error('the ledger lock was released with the recorded outcome');
      return conn;
    };
    const save = (w: LedgerWrite) => upsert(held(), key, w).then(() => undefined);
    let claimed: string | undefined;
    return {
      read: async () => locking.row,
      save,
      async claim(w) {
        const first = locking.firstClaim;
        if (first && sameClaim(w, first.write)) {
          claimed = first.token;
          return;
        }
        const claim = randomBytes(8).toString('hex');
        try {
          await upsert(held(), key, { ...w, status: 'sending' }, claim);
        } catch (err) {
          await withdrawClaim(conn, key, claim);
          throw err;
        }
        claimed = claim;
      },
      // The lock's connection may have died during the send; the outcome is a fact to keep
      // all the same, and a delivery that took the lock meanwhile found `sending` and left it alone.
      async record(w) {
        try {
          await query(held(), RECORD_AND_RELEASE, [...upsertParams(key, w), name], timeoutMs);
          locking.released = true;
        } catch (err) {
          if (claimed === undefined) throw err;
          await query(pool, RECORD_ON_CLAIM, [
            w.status, w.attempts, w.messageId, w.providerMessageId ?? null, w.failureCode ?? null, w.error ?? null,
            ...historyParams(key, w), key.notificationId, key.channel, claimed,
          ], timeoutMs);
        }
      },
      // One transaction: an account erased in between must not leave a `held` row with no message to release.
      async hold(w: LedgerWrite & { releaseAtMs: number }, m: HeldMessage) {
        await query(held(), 'START TRANSACTION', [], timeoutMs);
        try {
          await query(conn, KEEP_HELD, [
            key.notificationId, key.channel, m.accountId, utcDatetime(m.releaseAtMs),
            m.expiresAtMs === undefined ? null : utcDatetime(m.expiresAtMs), m.sourceMessageId, m.data, JSON.stringify(m.attributes),
          ], timeoutMs);
          await save(w);
          await query(conn, 'COMMIT', [], timeoutMs);
        } catch (err) {
          await query(conn, 'ROLLBACK', [], timeoutMs).catch(() => undefined);
          throw err;
        }
      },
    };
  }

  /**
   * Invariant: a connection that may still hold a lock never goes back to the pool.
   * If GET_LOCK or RELEASE_LOCK fails the connection is destroyed, and the server
   * drops its locks with it.
   */
  async function withLock<T>(key: DeliveryKey, fn: (l: LockedLedger) => Promise<T>, firstClaim?: Omit<LedgerWrite, 'status'>) {
    const conn = await acquire(pool, timeoutMs);
    const name = lockName(key);
    const token = firstClaim && randomBytes(8).toString('hex');
    const keyParams = [key.notificationId, key.channel];
    let results: [{ got: number | null }[], EntryRow[], ResultSetHeader?];
    try {
      results = await query(
        conn,
        token ? `${LOCK_AND_READ};${FIRST_CLAIM}` : LOCK_AND_READ,
        [name, opts.lockWaitSeconds, ...keyParams, ...(token ? [...upsertParams(key, { ...firstClaim!, status: 'sending' }, token), name, ...keyParams] : [])],
        timeoutMs + opts.lockWaitSeconds * 1000,
      );
    } catch (err) {
      // The first claim may have committed unseen: withdrawn like any claim (which also drops the connection and its lock).
      if (token) await withdrawClaim(conn, key, token);
      else conn.destroy();
      throw err;
    }
    const [[lock], [row], inserted] = results;
    if (lock?.got !== 1) {
      conn.release();
      return LOCK_BUSY;
    }
    const locking: Locking = {
      row: toEntry(row),
      ...(token && inserted?.affectedRows === 1 && { firstClaim: { token, write: firstClaim! } }),
      released: false,
    };
    try {
      return await fn(locked(conn, key, name, locking));
    } finally {
      if (!locking.released) {
        const released = await query(conn, 'DO RELEASE_LOCK(?)', [name], timeoutMs).then(() => true, () => false);
        if (released) conn.release();
        else conn.destroy();
      } else conn.release();
    }
  }

  return { find, lookup, withLock: withLock as Ledger['withLock'] };
}
