import type { DeliveryError, FailureCode, SuppressionCode } from './failures';

/**
 * The one table of what each delivery outcome means for Pub/Sub. Any non-2xx is a
 * nack; a permanently bad message always gets a 2xx once it is recorded.
 */
export const OUTCOMES = {
  sent: { status: 204, level: 'info' },
  duplicate: { status: 204, level: 'info' },
  suppressed: { status: 204, level: 'info' },
  // Quiet hours: kept, to be published again when they end.
  held: { status: 204, level: 'info' },
  // A routed notification: one message per contact published back to the topic.
  routed: { status: 204, level: 'info' },
  expired: { status: 204, level: 'info' },
  // A replay of a failed notification beyond MAX_REPLAYS: acked, not sent, not dead-lettered.
  replay_refused: { status: 204, level: 'warn' },
  dead_lettered: { status: 204, level: 'warn' },
  poisoned: { status: 204, level: 'error' },
  // The provider accepted it but the ledger could not record it: never resend.
  sent_unrecorded: { status: 204, level: 'error' },
  // Another process is delivering it right now; not an error.
  lock_busy: { status: 409, level: 'info' },
  // Its row says `sending` for less than the delivery budget: a send whose lock was lost
  // may still be running elsewhere. Retried later, never sent beside it.
  in_flight: { status: 409, level: 'info' },
  // The provider's rate limit (ours, or its Retry-After) or open circuit breaker: nacked
  // without calling it, not counted as an attempt.
  rate_limited: { status: 429, level: 'info' },
  circuit_open: { status: 503, level: 'info' },
  retry: { status: 503, level: 'warn' },
} as const satisfies Record<string, { status: number; level: 'info' | 'warn' | 'error' }>;

export type OutcomeKind = keyof typeof OUTCOMES;

export interface DeliveryResult {
  outcome: OutcomeKind;
  messageId: string;
  notificationId?: string;
  channel?: string;
  /** The ledger key's target when it is not the channel itself: one contact of a routed notification (`EMAIL:1a2b3c4d`). */
  target?: string;
  /** Our own attempt count for this (notification_id, channel). */
  attempt?: number;
  recipient?: string;
  /** Sent: the provider's ID for the message, when it gave one. */
  providerMessageId?: string;
  /** After a templated send: the rendering it sent (`id@version/locale/digest`). */
  template?: string;
  /** Set when a replay reopened a failed notification: which replay this is (1 = the first). */
  replay?: number;
  code?: FailureCode | DeliveryError['code'] | SuppressionCode;
  error?: string;
  /** Held: when the release task publishes it again (ISO 8601). */
  releaseAt?: string;
  /** Routed: how many per-contact messages were published. */
  targets?: number;
}
