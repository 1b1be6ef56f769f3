import type { PubSub } from '@google-cloud/pubsub';
import { TransientError } from '../delivery/failures';
import type { NotificationPublisher } from '../delivery/ports';
import { SIGNATURE_ATTRIBUTE, signInternal } from '../codec/internal-attributes';
import { withTimeout } from '../timeout';

export interface NotificationPublisherOptions {
  /** The notifications topic (NOTIFIER_TOPIC), the one the push subscription reads. */
  topic: string;
  publishTimeoutMs: number;
  /** Signs the message's notifier_* attributes, without which the notifier would ignore them. */
  signingKey: string;
}

/** Pub/Sub reserves attribute keys starting with `goog`; a message cannot be published with them. */
const RESERVED_ATTRIBUTE = /^goog/i;

/** Pub/Sub's limits on one message (https://cloud.google.com/pubsub/quotas#resource_limits). */
export const MAX_ATTRIBUTES = 100;
/** Data plus every attribute's key and value, in bytes. */
export const MAX_MESSAGE_BYTES = 10_000_000;

/** Set when a republished message could not keep all of its own attributes: how many it left out. */
export const DROPPED_ATTRIBUTES = 'notifier_attributes_dropped';

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

/**
 * Publishes back to the notifications topic: a routed notification's per-contact messages,
 * and held notifications when their quiet hours end. A failure is transient: the caller
 * nacks (routing) or leaves the row claimed for the next release.
 */
export function makePubSubNotificationPublisher(pubsub: PubSub, opts: NotificationPublisherOptions): NotificationPublisher {
  const topic = pubsub.topic(opts.topic, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
  return {
    async publish(data, attributes) {
      try {
        return await withTimeout(
          topic.publishMessage({ data, attributes: signInternal(data, attributes, opts.signingKey) }),
          opts.publishTimeoutMs,
          () => new Error(`timed out after ${opts.publishTimeoutMs} ms`),
        );
      } catch (err) {
        throw new TransientError('PUBLISH_UNAVAILABLE', `publishing to ${topic.name} failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
