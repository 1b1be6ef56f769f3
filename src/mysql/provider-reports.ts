import type { EventKind } from '../codec/event';
import type { ProviderReportStore } from '../delivery/provider-reports';
import type { SuppressibleChannel } from '../delivery/suppression';
import { appendHistory, historyEntry } from './ledger-history';
import type { Pool } from './pool';
import { query } from './sql';

/** The delivery with this provider message ID on this channel (or one contact of it): idx_delivery_ledger_provider. */
const FIND = `
SELECT notification_id, channel FROM delivery_ledger
WHERE provider_message_id = ? AND (channel = ? OR channel LIKE CONCAT(?, ':%'))
LIMIT 1`;

/** Once per report (its `ref` in the entry): a provider retrying its callback adds nothing more. */
const APPEND = `
UPDATE delivery_ledger SET ${appendHistory(historyEntry('?', '?', '?'))}
WHERE notification_id = ? AND channel = ? AND NOT JSON_CONTAINS(COALESCE(history, '[]'), JSON_OBJECT('ref', ?))`;

/** Provider reports on the ledger (migration 0008's index finds the delivery). */
export function makeMysqlProviderReportStore(pool: Pool, opts: { timeoutMs: number }): ProviderReportStore {
  return {
    async record(channel: SuppressibleChannel, providerMessageId: string, report: { event: EventKind; code?: string; reportId: string }) {
      const rows = await query<{ notification_id: string; channel: string }[]>(pool, FIND, [providerMessageId, channel, channel], opts.timeoutMs);
      const row = rows[0];
      if (!row) return undefined;
      const { event, code, reportId } = report;
      await query(pool, APPEND, [event, code ?? null, reportId, row.notification_id, row.channel, reportId], opts.timeoutMs);
      return { notificationId: row.notification_id, channel: row.channel };
    },
  };
}
