import { appendHistory, historyEntry } from './ledger-history';
import type { ResultSetHeader } from 'mysql2';
import { CHANNELS } from '../codec/notification';
import type { RecipientChannel } from '../codec/payload-checks';
import type { AccountDirectory, AccountPolicy, Clock, Contact } from '../delivery/ports';
import type { Pool, PoolConnection } from './pool';
import { acquire, query, utcDatetime } from './sql';
import { PreferenceEntry, scopesFor, SettingsDocument } from '../settings/document';
import type { SuppressionCode } from '../delivery/failures';

export interface MysqlSettingsStoreOptions {
  /** Upper bound for one statement (and for getting a connection). */
  timeoutMs: number;
  /** Where updated_at comes from (DATETIME columns hold UTC instants from the clock). */
  clock?: Clock;
}

/** A document as stored, with when it was last replaced. */
export interface StoredSettings {
  document: SettingsDocument;
  updatedAt: Date;
}

/** What an erasure removed. */
export interface Erasure {
  /** Whether the account had settings. */
  erased: boolean;
  /** Held notifications removed; their ledger rows are now `suppressed` ACCOUNT_ERASED. */
  heldRemoved: number;
}

export interface MysqlSettingsStore extends AccountDirectory {
  get(accountId: string): Promise<StoredSettings | undefined>;
  replace(accountId: string, document: SettingsDocument): Promise<StoredSettings>;
  erase(accountId: string): Promise<Erasure>;
}

/** A delivery's policy read: the settings row and only the rules that can decide for the type. */
export function policyStatement(accountId: string, type: string): { sql: string; params: string[] } {
  const scopes = scopesFor(type);
  const sql = `
SELECT s.locale, s.time_zone, s.quiet_start, s.quiet_end, p.scope, p.channel, p.enabled
FROM account_settings s
LEFT JOIN account_preferences p ON p.account_id = s.account_id AND p.scope IN (${scopes.map(() => '?').join(', ')})
WHERE s.account_id = ?`;
  return { sql, params: [...scopes, accountId] };
}

/** A delivery's contacts read: by primary key prefix, in key order (no sort). */
export const CONTACTS_SQL = 'SELECT channel, address FROM account_contacts WHERE account_id = ? ORDER BY channel, position';

const SETTINGS_SQL = 'SELECT locale, time_zone, quiet_start, quiet_end, updated_at FROM account_settings WHERE account_id = ?';
const PREFERENCES_SQL = 'SELECT scope, channel, enabled FROM account_preferences WHERE account_id = ? ORDER BY scope, channel';

/** The upsert takes the settings row's lock first: concurrent replaces and erasures of one account queue behind it. */
const UPSERT_SETTINGS = `
INSERT INTO account_settings (account_id, locale, time_zone, quiet_start, quiet_end, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE locale = VALUES(locale), time_zone = VALUES(time_zone),
  quiet_start = VALUES(quiet_start), quiet_end = VALUES(quiet_end), updated_at = VALUES(updated_at)`;

const ERASED: SuppressionCode = 'ACCOUNT_ERASED';

/** Nothing may stay `held` once its message is gone: the release would never find it. */
const SUPPRESS_HELD = `
UPDATE delivery_ledger l
JOIN held_notifications h ON l.notification_id = h.notification_id AND l.channel = h.target
SET l.status = 'suppressed', l.failure_code = '${ERASED}', l.last_error = 'account settings erased while held',
  l.release_at = NULL, ${appendHistory(historyEntry("'suppressed'", `'${ERASED}'`), 'l.history')}
WHERE h.account_id = ? AND l.status = 'held'`;

export interface PolicyRow { locale: string | null; time_zone: string | null; quiet_start: number | null; quiet_end: number | null; scope: string | null; channel: string | null; enabled: number | null }
interface SettingsRow { locale: string | null; time_zone: string | null; quiet_start: number | null; quiet_end: number | null; updated_at: Date }
interface PreferenceRow { scope: string; channel: string; enabled: number }

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toHhMm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Channels in the notification schema's order, addresses in position order. */
const byChannel = (rows: Contact[]) => rows.sort((a, b) => CHANNELS[a.channel] - CHANNELS[b.channel]);

export function toPolicy(rows: PolicyRow[]): AccountPolicy | undefined {
  const [s] = rows;
  if (!s) return undefined;
  const quiet = s.time_zone !== null && s.quiet_start !== null && s.quiet_end !== null;
  return {
    ...(s.locale !== null && { locale: s.locale }),
    ...(s.time_zone !== null && { timeZone: s.time_zone }),
    ...(quiet && { quietHours: { timeZone: s.time_zone!, startMinute: s.quiet_start!, endMinute: s.quiet_end! } }),
    // A LEFT JOIN without matching rules yields one row of NULLs.
    rules: rows.filter((r) => r.scope !== null).map((r) => ({ scope: r.scope!, channel: r.channel!, enabled: Boolean(r.enabled) })),
  };
}

function toDocument(s: SettingsRow, contacts: Contact[], prefs: PreferenceRow[]): SettingsDocument {
  const grouped: SettingsDocument['contacts'] = {};
  for (const c of contacts) (grouped[c.channel as RecipientChannel] ??= []).push(c.address);
  return {
    ...(s.locale !== null && { locale: s.locale }),
    ...(s.time_zone !== null && { timeZone: s.time_zone }),
    ...(s.quiet_start !== null && s.quiet_end !== null && { quietHours: { start: toHhMm(s.quiet_start), end: toHhMm(s.quiet_end) } }),
    contacts: grouped,
    preferences: prefs.map((p) => ({ type: p.scope, channel: p.channel as PreferenceEntry['channel'], enabled: Boolean(p.enabled) })),
  };
}

/** A multi-row INSERT of `rows` (none: no statement). */
async function insertAll(conn: PoolConnection, head: string, rows: unknown[][], timeoutMs: number) {
  if (!rows.length) return;
  const values = rows.map((r) => `(${r.map(() => '?').join(', ')})`).join(', ');
  await query(conn, `${head} VALUES ${values}`, rows.flat(), timeoutMs);
}

/** The whole document in one snapshot, or undefined. */
async function readDocument(conn: PoolConnection, accountId: string, timeoutMs: number): Promise<StoredSettings | undefined> {
  const [settings] = await query<SettingsRow[]>(conn, SETTINGS_SQL, [accountId], timeoutMs);
  if (!settings) return undefined;
  const contacts = byChannel(await query<Contact[]>(conn, CONTACTS_SQL, [accountId], timeoutMs));
  const prefs = await query<PreferenceRow[]>(conn, PREFERENCES_SQL, [accountId], timeoutMs);
  return { document: toDocument(settings, contacts, prefs), updatedAt: settings.updated_at };
}

/** Upserts the settings row first (its lock serialises writers), then rewrites contacts and rules. */
async function writeDocument(conn: PoolConnection, accountId: string, doc: SettingsDocument, updatedAt: Date, timeoutMs: number) {
  const quiet = doc.quietHours;
  await query(conn, UPSERT_SETTINGS, [
    accountId, doc.locale ?? null, doc.timeZone ?? null,
    quiet ? toMinutes(quiet.start) : null, quiet ? toMinutes(quiet.end) : null, utcDatetime(updatedAt.getTime()),
  ], timeoutMs);
  await query(conn, 'DELETE FROM account_contacts WHERE account_id = ?', [accountId], timeoutMs);
  const contactRows = Object.entries(doc.contacts).flatMap(([channel, list]) => list.map((a, i) => [accountId, channel, i, a]));
  await insertAll(conn, 'INSERT INTO account_contacts (account_id, channel, position, address)', contactRows, timeoutMs);
  await query(conn, 'DELETE FROM account_preferences WHERE account_id = ?', [accountId], timeoutMs);
  const ruleRows = doc.preferences.map((p) => [accountId, p.type, p.channel, p.enabled]);
  await insertAll(conn, 'INSERT INTO account_preferences (account_id, scope, channel, enabled)', ruleRows, timeoutMs);
}

/** Deletes the settings row first (the same lock as writeDocument), then everything else of the account. */
async function eraseAccount(conn: PoolConnection, accountId: string, timeoutMs: number): Promise<Erasure> {
  const run = (sql: string) => query<ResultSetHeader>(conn, sql, [accountId], timeoutMs);
  const settings = await run('DELETE FROM account_settings WHERE account_id = ?');
  await run('DELETE FROM account_contacts WHERE account_id = ?');
  await run('DELETE FROM account_preferences WHERE account_id = ?');
  await run(SUPPRESS_HELD);
  const held = await run('DELETE FROM held_notifications WHERE account_id = ?');
  return { erased: settings.affectedRows > 0, heldRemoved: held.affectedRows };
}

/**
 * Account settings on MySQL. The delivery path's reads are one statement each, by primary
 * key (prefix), bounded by the settings limits whatever else the account has. Erasing keeps
 * the ledger's rows: the operational record holds IDs only, no addresses or content.
 */
export function makeMysqlSettingsStore(pool: Pool, opts: MysqlSettingsStoreOptions): MysqlSettingsStore {
  const { timeoutMs } = opts;
  const clock = opts.clock ?? { nowMs: () => Date.now() };

  /** Invariant: a connection whose transaction could not be ended never goes back to the pool. */
  async function inTransaction<T>(begin: string, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await acquire(pool, timeoutMs);
    try {
      await query(conn, begin, [], timeoutMs);
      const result = await fn(conn);
      await query(conn, 'COMMIT', [], timeoutMs);
      conn.release();
      return result;
    } catch (err) {
      const rolledBack = await query(conn, 'ROLLBACK', [], timeoutMs).then(() => true, () => false);
      if (rolledBack) conn.release();
      else conn.destroy();
      throw err;
    }
  }

  return {
    async policy(accountId, type) {
      const { sql, params } = policyStatement(accountId, type);
      return toPolicy(await query<PolicyRow[]>(pool, sql, params, timeoutMs));
    },
    contacts: async (accountId) => byChannel(await query<Contact[]>(pool, CONTACTS_SQL, [accountId], timeoutMs)),
    // Positions keep their gap: readers order by position, and the next PUT renumbers.
    async forgetContact(accountId, { channel, address }) {
      await query(pool, 'DELETE FROM account_contacts WHERE account_id = ? AND channel = ? AND address = ?', [accountId, channel, address], timeoutMs);
    },
    get: (accountId) => inTransaction('START TRANSACTION READ ONLY', (conn) => readDocument(conn, accountId, timeoutMs)),
    replace: (accountId, document) =>
      inTransaction('START TRANSACTION', async (conn) => {
        const updatedAt = new Date(clock.nowMs());
        await writeDocument(conn, accountId, document, updatedAt, timeoutMs);
        return { document, updatedAt };
      }),
    erase: (accountId) => inTransaction('START TRANSACTION', (conn) => eraseAccount(conn, accountId, timeoutMs)),
  };
}
