import type { PubSub } from '@google-cloud/pubsub';
import type { NotificationPublisher } from '../delivery/ports';
import { signInternal } from '../codec/internal-attributes';
import { notifierTopic, publishWithin } from './publish';

export interface NotificationPublisherOptions {
  /** The notifications topic (NOTIFIER_TOPIC), the one the push subscription reads. */
  topic: string;
  publishTimeoutMs: number;
  /** Signs the message's notifier_* attributes, without which the notifier would ignore them. */
  signingKey: string;
}

/**
 * Publishes back to the notifications topic: a routed notification's per-contact messages,
 * and held notifications when their quiet hours end. A failure is transient: the caller
 * nacks (routing) or leaves the row claimed for the next release.
 */
export function makePubSubNotificationPublisher(pubsub: PubSub, opts: NotificationPublisherOptions): NotificationPublisher {
  const topic = notifierTopic(pubsub, opts.topic);
  return {
    publish: (data, attributes) =>
      publishWithin(topic, { data, attributes: signInternal(data, attributes, opts.signingKey) }, opts.publishTimeoutMs, 'PUBLISH_UNAVAILABLE'),
  };
}
