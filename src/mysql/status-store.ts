import type { AccountPage, AccountPageRequest, DeliveryStatusView, StatusStore } from '../http/status';
import { parseHistory } from './ledger-history';
import type { Pool } from './pool';
import { isoText, query, utcDatetime } from './sql';
import { ROUTED_KEY } from '../delivery/routing';
import type { DeliveryStatus } from '../delivery/ports';

/**
 * Times as the column holds them (µs, UTC): the page token must name a row exactly. Aliased
 * apart from the columns, so ORDER BY names the column (the index order), not the text.
 */
const textTime = (column: string) => `${isoText(column)} AS ${column}_text`;

const COLUMNS = `notification_id, channel, status, attempts, replays, notification_type, provider_message_id, failure_code, template,
  ${textTime('created_at')}, ${textTime('updated_at')}, ${textTime('release_at')}, resolution, history`;

/** A notification's rows: a primary-key prefix, one row per target (bounded by the account's contacts). */
const BY_NOTIFICATION = `SELECT ${COLUMNS} FROM delivery_ledger WHERE notification_id = ? ORDER BY channel`;

/**
 * One page of an account's deliveries, newest first. The page's keys come from the
 * (account_id, created_at) index alone, whose entries end with the primary key (a covering
 * range scan that starts at the previous page's last row: `limit + 1` entries whatever the
 * account's history); only those rows are then read, and their few sorted again.
 */
const pageSql = (after: boolean) => `
SELECT ${COLUMNS} FROM (
  SELECT notification_id, channel FROM delivery_ledger
  WHERE account_id = ? AND created_at >= ?${after ? `
    AND created_at <= ? AND (created_at < ? OR (created_at = ? AND (notification_id < ? OR (notification_id = ? AND channel < ?))))` : ''}
  ORDER BY created_at DESC, notification_id DESC, channel DESC
  LIMIT ?
) AS page JOIN delivery_ledger l USING (notification_id, channel)
ORDER BY l.created_at DESC, l.notification_id DESC, l.channel DESC`;

interface Row {
  notification_id: string;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  replays: number;
  notification_type: string;
  provider_message_id: string | null;
  failure_code: string | null;
  template: string | null;
  created_at_text: string;
  updated_at_text: string;
  release_at_text: string | null;
  resolution: string | null;
  history: unknown;
}

function toView(r: Row): DeliveryStatusView {
  const routed = r.channel === ROUTED_KEY;
  const [channel] = r.channel.split(':');
  return {
    notificationId: r.notification_id,
    channel: channel!,
    ...(r.channel !== channel && { target: r.channel }),
    type: r.notification_type,
    status: routed && r.status === 'sent' ? 'routed' : r.status,
    attempts: r.attempts,
    ...(r.replays > 0 && { replays: r.replays }),
    // A routed row's "provider message ID" is the count of messages it published.
    ...(r.provider_message_id !== null && !routed && { providerMessageId: r.provider_message_id }),
    ...(r.failure_code !== null && { code: r.failure_code }),
    ...(r.template !== null && { template: r.template }),
    ...(r.release_at_text !== null && r.status === 'held' && { releaseAt: r.release_at_text }),
    ...(r.resolution !== null && { resolution: r.resolution }),
    createdAt: r.created_at_text,
    updatedAt: r.updated_at_text,
    events: parseHistory(r.history),
  };
}

/** DATETIME text (µs) ↔ the page token's time; the token is the last row's (time, id, channel). */
const fromIso = (iso: string) => iso.replace('T', ' ').replace('Z', '');

/** The status API's reads (GET /v1/notifications/…, GET /v1/accounts/…/notifications) on the ledger. */
export function makeMysqlStatusStore(pool: Pool, opts: { timeoutMs: number }): StatusStore {
  return {
    async notification(notificationId) {
      const rows = await query<Row[]>(pool, BY_NOTIFICATION, [notificationId], opts.timeoutMs);
      return rows.map(toView);
    },
    async accountPage(accountId: string, req: AccountPageRequest): Promise<AccountPage> {
      const after = req.after;
      const params = [
        accountId, utcDatetime(req.sinceMs),
        ...(after ? [...Array(3).fill(fromIso(after.createdAt)), after.notificationId, after.notificationId, after.channel] : []),
        req.limit + 1,
      ];
      const rows = await query<Row[]>(pool, pageSql(after !== undefined), params, opts.timeoutMs);
      const page = rows.slice(0, req.limit);
      const last = page[page.length - 1];
      return {
        deliveries: page.map(toView),
        ...(rows.length > req.limit && last && { next: { createdAt: last.created_at_text, notificationId: last.notification_id, channel: last.channel } }),
      };
    },
  };
}

export { pageSql as accountPageSql };
