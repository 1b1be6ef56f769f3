/**
 * Error kinds carry their own classification. Adapters throw these; anything else
 * reaching the use case is wrapped as a transient INTERNAL failure (nack, never lost).
 */

/** Reason codes a notification is dead-lettered under (`notifier_failure_code`). */
export type FailureCode =
  | 'UNDECODABLE_PAYLOAD'
  | 'INVALID_PAYLOAD'
  | 'UNKNOWN_CHANNEL'
  | 'CHANNEL_NOT_CONFIGURED'
  | 'CHANNEL_MISCONFIGURED'
  | 'INVALID_RECIPIENT'
  | 'UNREGISTERED_DEVICE'
  | 'DESTINATION_NOT_ALLOWED'
  | 'PROVIDER_REJECTED'
  | 'BAD_CREDENTIALS'
  // The template, its version, or its rendering for the channel is not in the catalogue.
  | 'TEMPLATE_NOT_FOUND'
  // The template's data lacks a variable or holds one of the wrong type (the error names it).
  | 'TEMPLATE_DATA_INVALID'
  | 'ATTEMPTS_EXHAUSTED'
  | 'SEND_OUTCOME_UNKNOWN';

/** Why a ledger row was not sent, though nothing failed: no failure record is written. */
export type SuppressionCode = 'OPTED_OUT' | 'NO_CONTACT' | 'ACCOUNT_ERASED' | 'ADDRESS_SUPPRESSED';

/** The failure code of a record Pub/Sub's own dead-letter policy forwarded (it has no notifier_failure_code). */
export const PUBSUB_DEAD_LETTER = 'PUBSUB_DEAD_LETTER';

/** Reasons a delivery is nacked for Pub/Sub to retry. */
export type TransientCode =
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  // The provider answered, but deferred this one recipient (greylisting, mailbox full):
  // a healthy answer, so it never opens a circuit breaker.
  | 'RECIPIENT_DEFERRED'
  | 'RATE_LIMITED'
  | 'DATABASE_UNAVAILABLE'
  | 'DEAD_LETTER_UNAVAILABLE'
  | 'PUBLISH_UNAVAILABLE'
  // A template version newer than this revision's catalogue: a deploy is rolling out.
  | 'TEMPLATE_NOT_DEPLOYED'
  | 'INTERNAL';

/** `notifier_failure_class`: why it could not be delivered. */
export type FailureClass = 'permanent' | 'transient' | 'unknown_outcome';

/** Retrying cannot help: record and dead-letter. */
export class PermanentError extends Error {
  readonly kind = 'permanent';
  override name = 'PermanentError';
  constructor(readonly code: FailureCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Retrying may help: nack until the attempt budget is spent. */
export class TransientError extends Error {
  readonly kind = 'transient';
  override name = 'TransientError';
  /** The provider's `Retry-After`: no call to it before this many ms have passed. */
  readonly retryAfterMs?: number;
  constructor(readonly code: TransientCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * The provider may have accepted the message: no answer came after the request was sent
 * (a timeout, a dropped connection). Sending again could notify twice, so it is recorded
 * and dead-lettered as SEND_OUTCOME_UNKNOWN unless the type is declared safe to resend.
 */
export class OutcomeUnknownError extends Error {
  readonly kind = 'unknown_outcome';
  readonly code = 'SEND_OUTCOME_UNKNOWN';
  override name = 'OutcomeUnknownError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type DeliveryError = PermanentError | TransientError | OutcomeUnknownError;

export function asDeliveryError(err: unknown): DeliveryError {
  if (err instanceof PermanentError || err instanceof TransientError || err instanceof OutcomeUnknownError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TransientError('INTERNAL', `unexpected error: ${message}`, { cause: err });
}
