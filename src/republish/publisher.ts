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

/** The attributes a message may be published again with: its own, minus Pub/Sub's reserved ones, plus `extra`. */
export function republishAttributes(attributes: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(attributes).filter(([k]) => !RESERVED_ATTRIBUTE.test(k))), ...extra };
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
