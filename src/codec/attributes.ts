/**
 * Every message attribute the notifier reads or writes, and Pub/Sub's limits on a message.
 * Attributes named `notifier_*` are the notifier's own: it obeys them only when signed
 * (internal-attributes.ts), and producers never set them.
 */

/** Pub/Sub's attribute naming the encoding of a message on a schema'd topic. */
export const ENCODING_ATTRIBUTE = 'googclient_schemaencoding';

/** The prefix of the notifier's own attributes. */
export const INTERNAL_PREFIX = 'notifier_';
/** The signature of a message's `notifier_*` attributes. */
export const SIGNATURE_ATTRIBUTE = 'notifier_signature';

/** A routed notification's per-contact message: the routed message it came from, and its contact's target key. */
export const ROUTED_FROM_ATTRIBUTE = 'notifier_routed_from';
export const TARGET_ATTRIBUTE = 'notifier_target';

/**
 * A released notification: the Pub/Sub message ID the notification was held from, so the
 * delivery path knows it is the release of a held row.
 */
export const RELEASE_OF_ATTRIBUTE = 'notifier_release_of';

/**
 * A replay (same notification_id and payload, published again by an operator): the Pub/Sub
 * message ID of the delivery that failed. Only its presence matters to the notifier; the
 * value is for people reading the dead letters.
 */
export const REPLAY_OF_ATTRIBUTE = 'notifier_replay_of';

/** What a failure record adds to the original message's attributes: why it failed. */
export const FAILURE_ATTRIBUTES = {
  code: 'notifier_failure_code',
  failureClass: 'notifier_failure_class',
  attempts: 'notifier_attempts',
  channel: 'notifier_channel',
  sourceMessageId: 'notifier_source_message_id',
  error: 'notifier_error',
} as const;

/** Set on a failure record whose data was cut to make room for its reason: the original length. */
export const DATA_TRUNCATED = 'notifier_data_truncated';

/** Set when a republished message could not keep all of its own attributes: how many it left out. */
export const DROPPED_ATTRIBUTES = 'notifier_attributes_dropped';

/** Pub/Sub reserves attribute keys starting with `goog`; a message cannot be published with them. */
const RESERVED_ATTRIBUTE = /^goog/i;

/** Pub/Sub's limits on one message (https://cloud.google.com/pubsub/quotas#resource_limits). */
export const MAX_ATTRIBUTES = 100;
/** Data plus every attribute's key and value, in bytes. */
/** Pub/Sub's limit on one attribute value, in bytes. */
export const MAX_ATTRIBUTE_VALUE_BYTES = 1024;

export const MAX_MESSAGE_BYTES = 10_000_000;


const attributeBytes = ([k, v]: [string, string]) => Buffer.byteLength(k) + Buffer.byteLength(v);

/** Added to a republish by the publisher: the signature of its notifier_* attributes ("v1=" and 43 characters). */
const SIGNATURE_BYTES = SIGNATURE_ATTRIBUTE.length + 3 + 43;
/** Added when attributes are left out: the count's name and at most 3 digits. */
const DROPPED_BYTES = DROPPED_ATTRIBUTES.length + 3;
/** What data and attributes may take before those two are added: the rest of Pub/Sub's limit is theirs. */
export const ATTRIBUTES_ROOM = MAX_MESSAGE_BYTES - SIGNATURE_BYTES - DROPPED_BYTES;

/** The bytes Pub/Sub counts against MAX_MESSAGE_BYTES. */
export function messageBytes(dataBytes: number, attributes: Record<string, string>): number {
  return Object.entries(attributes).reduce((n, e) => n + attributeBytes(e), dataBytes);
}

/**
 * The attributes a message of `dataBytes` may be published again with: `extra`, then as
 * many of its own (minus Pub/Sub's reserved ones) as Pub/Sub's limits on count and size
 * leave room for, the notifier's own (`notifier_target`, `notifier_routed_from`, …) before
 * the producer's. A message that came with 100 attributes, or within a few hundred bytes of
 * 10 MB, would be refused on every attempt with the notifier's added; it keeps what fits
 * instead, and says how many it left out.
 */
export function republishAttributes(attributes: Record<string, string>, extra: Record<string, string>, dataBytes = 0): Record<string, string> {
  const own = Object.entries(attributes)
    .filter(([k]) => !RESERVED_ATTRIBUTE.test(k) && !Object.hasOwn(extra, k))
    .sort(([a], [b]) => Number(b.startsWith('notifier_')) - Number(a.startsWith('notifier_')));
  // One slot stays free for the signature of the notifier_* attributes (codec/internal-attributes.ts).
  const slots = MAX_ATTRIBUTES - 1 - Object.keys(extra).length;
  const base = messageBytes(dataBytes, extra);
  if (own.length <= slots && messageBytes(base, Object.fromEntries(own)) <= MAX_MESSAGE_BYTES - SIGNATURE_BYTES) {
    return { ...Object.fromEntries(own), ...extra };
  }
  const kept: [string, string][] = [];
  let bytes = base;
  for (const entry of own) {
    if (kept.length === slots - 1) break; // one slot for the count of dropped attributes
    if (bytes + attributeBytes(entry) > ATTRIBUTES_ROOM) continue;
    kept.push(entry);
    bytes += attributeBytes(entry);
  }
  return { ...Object.fromEntries(kept), ...extra, [DROPPED_ATTRIBUTES]: String(own.length - kept.length) };
}
