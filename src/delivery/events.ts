import { EventFacts, EventKind } from '../codec/event';
import { channelName, Notification } from '../codec/notification';
import { isRouted, MAX_ID_LENGTH, wellFormed } from '../codec/validate';
import { cut } from '../text';
import type { PushedMessage } from './failure-records';
import type { DeliveryResult, OutcomeKind } from './outcomes';
import type { DeliveryKey, DeliveryStatus, EventSink } from './ports';
import { ROUTED_KEY, targetOf } from './routing';

/**
 * The lifecycle event a push's outcome is, if any. Not a state change, so no event:
 * a lock held elsewhere, a send in flight elsewhere (the push comes again), an undecodable
 * payload (no notification to name; the poison table keeps it).
 */
const OUTCOME_EVENTS: Record<OutcomeKind, EventKind | undefined> = {
  sent: 'sent',
  sent_unrecorded: 'sent',
  duplicate: 'duplicate',
  replay_refused: 'duplicate',
  suppressed: 'suppressed',
  held: 'held',
  routed: 'routed',
  expired: 'expired',
  dead_lettered: 'dead_lettered',
  retry: 'retry',
  rate_limited: 'retry',
  circuit_open: 'retry',
  poisoned: undefined,
  lock_busy: undefined,
  in_flight: undefined,
};

/** Codes for outcomes that have none of their own: why a retry without an attempt, why a replay was not sent. */
const OUTCOME_CODES: Partial<Record<OutcomeKind, string>> = {
  rate_limited: 'RATE_LIMITED',
  circuit_open: 'CIRCUIT_OPEN',
  replay_refused: 'REPLAY_REFUSED',
  sent_unrecorded: 'LEDGER_WRITE_FAILED',
};

/** The event a ledger status is, in the status API's history (mysql/ledger.ts writes it with each row). */
export const STATUS_EVENTS: Record<DeliveryStatus, EventKind> = {
  sending: 'sending',
  pending: 'retry',
  sent: 'sent',
  failed: 'dead_lettered',
  unknown: 'dead_lettered',
  expired: 'expired',
  suppressed: 'suppressed',
  held: 'held',
};

/** An event of one delivery known only by its key (a release, a callback): the rest is in its other events. */
export function keyFacts(key: DeliveryKey, event: EventKind, sourceMessageId: string): EventFacts {
  return {
    event,
    notificationId: key.notificationId,
    channel: key.channel === ROUTED_KEY ? '' : key.channel.split(':')[0]!,
    target: key.channel,
    type: '',
    source: '',
    accountId: '',
    attempt: 0,
    code: '',
    providerMessageId: '',
    createdAtMicros: 0n,
    sourceMessageId,
    template: '',
  };
}

/**
 * A producer's text as an event carries it: events are published for invalid notifications
 * too (`received`, `dead_lettered`), so a field may be megabytes or not well-formed Unicode.
 * Cut to the longest valid identifier: one bad notification must not cost memory or get the
 * batch it shares with others refused.
 */
const bounded = (text: string) => cut(wellFormed(text), MAX_ID_LENGTH);

/** What every event of this push states: the notification and the push that carried it. */
export function eventFacts(msg: PushedMessage, n: Notification, target: string, event: EventKind, attempt = 0): EventFacts {
  return {
    ...keyFacts({ notificationId: bounded(n.notificationId), channel: bounded(target) }, event, msg.messageId),
    type: bounded(n.type),
    source: bounded(n.source),
    accountId: bounded(n.accountId),
    attempt,
    createdAtMicros: n.createdAtMicros,
  };
}

/** The ledger target a push is about, before anything is looked up: its channel (or contact), or ROUTED. */
export function targetFor(n: Notification, attributes: Record<string, string>): string {
  if (isRouted(n)) return ROUTED_KEY;
  const name = channelName(n.channel);
  return name ? targetOf(name, attributes) : String(n.channel);
}

/** The events of one push's outcome (`received` was published when it arrived): `replayed` when a replay reopened the row, then the outcome's own. */
export function outcomeEvents(msg: PushedMessage, n: Notification, result: DeliveryResult): EventFacts[] {
  const kind = OUTCOME_EVENTS[result.outcome];
  if (!kind) return [];
  const target = result.target ?? result.channel ?? '';
  const facts = (event: EventKind, extra: Partial<EventFacts> = {}) => ({ ...eventFacts(msg, n, target, event, result.attempt ?? 0), ...extra });
  return [
    ...(result.replay !== undefined ? [facts('replayed', { code: `REPLAY_${result.replay}` })] : []),
    facts(kind, { code: result.code ?? OUTCOME_CODES[result.outcome] ?? '', providerMessageId: result.providerMessageId ?? '', template: result.template ?? '' }),
  ];
}

/** Emits without ever throwing: an event is a record of the delivery, never a cause of its failure. */
export function emitAll(sink: EventSink | undefined, events: readonly EventFacts[]): void {
  if (!sink) return;
  for (const e of events) {
    try {
      sink.emit(e);
    } catch {
      // The sink counts and logs its own failures; nothing here may fail a delivery.
    }
  }
}
