import { Notification } from '../codec/notification';
import { carriedAttributes, notificationFromRow } from './rebuild';
import { FailureStore, Row } from './store';
import { REPLAY_OF_ATTRIBUTE } from '../codec/attributes';

/**
 * What a replay publishes, for `notifier replay` and `notifier resolve --as resend` alike:
 * the notification rebuilt from its dead-letter row, with the attributes that make the
 * notifier treat it as a replay of that failure.
 */
export type Rebuilt = [candidate: Row, notification: Notification | Error, carried: Record<string, string>];

const BATCH = 500;

/** Rebuilds each selected candidate (a replay query row) from its dead-letter row, in batches. */
export async function* rebuilt(store: FailureStore, since: Date, selected: Row[]): AsyncGenerator<Rebuilt> {
  for (let i = 0; i < selected.length; i += BATCH) {
    const batch = selected.slice(i, i + BATCH);
    const rows = await store.deadLetterRows(since, batch.map((r) => String(r.message_id)));
    const byMessage = new Map(rows.map((r) => [String(r.message_id), r]));
    for (const candidate of batch) {
      const row = byMessage.get(String(candidate.message_id));
      try {
        if (!row) throw new Error('its dead-letter row was not found');
        const notification = notificationFromRow(row);
        yield [candidate, notification, carriedAttributes(row, notification)];
      } catch (err) {
        yield [candidate, err as Error, {}];
      }
    }
  }
}

/**
 * The attributes a replay is published with: the carried ones (a routed contact's target)
 * and notifier_replay_of, the failed delivery's message ID, which lets it reopen a `failed`
 * ledger row (delivery/replays.ts mayReopen).
 */
export function replayAttributes(candidate: Row, carried: Record<string, string>): Record<string, string> {
  return { ...carried, [REPLAY_OF_ATTRIBUTE]: String(candidate.source_message_id) };
}
