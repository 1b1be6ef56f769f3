import type { PubSub } from '@google-cloud/pubsub';
import { TransientError } from '../delivery/failures';
import type { NotificationPublisher } from '../delivery/ports';
import { withTimeout } from '../timeout';

export interface NotificationPublisherOptions {
  /** The notifications topic (NOTIFIER_TOPIC), the one the push subscription reads. */
  topic: string;
  publishTimeoutMs: number;
}

/** Pub/Sub reserves attribute keys starting with `goog`; a message cannot be published with them. */
const RESERVED_ATTRIBUTE = /^goog/i;

/** Pub/Sub's limit of attributes per message (https://cloud.google.com/pubsub/quotas#resource_limits). */
export const MAX_ATTRIBUTES = 100;

/** Set when a republished message could not keep all of its own attributes: how many it left out. */
export const DROPPED_ATTRIBUTES = 'notifier_attributes_dropped';

/**
 * The attributes a message may be published again with: `extra`, then as many of its own
 * (minus Pub/Sub's reserved ones) as Pub/Sub's limit leaves room for, the notifier's own
 * (`notifier_target`, `notifier_routed_from`, …) before the producer's. A message that came
 * with 100 attributes plus the notifier's would be refused on every attempt; it keeps what
 * fits instead, and says how many it left out.
 */
export function republishAttributes(attributes: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const own = Object.entries(attributes)
    .filter(([k]) => !RESERVED_ATTRIBUTE.test(k) && !Object.hasOwn(extra, k))
    .sort(([a], [b]) => Number(b.startsWith('notifier_')) - Number(a.startsWith('notifier_')));
  const room = MAX_ATTRIBUTES - Object.keys(extra).length;
  if (own.length <= room) return { ...Object.fromEntries(own), ...extra };
  const kept = own.slice(0, room - 1);
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
          topic.publishMessage({ data, attributes }),
          opts.publishTimeoutMs,
          () => new Error(`timed out after ${opts.publishTimeoutMs} ms`),
        );
      } catch (err) {
        throw new TransientError('PUBLISH_UNAVAILABLE', `publishing to ${topic.name} failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
