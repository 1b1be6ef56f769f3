import { PubSub, Subscription } from '@google-cloud/pubsub';
import { DeliverySettings } from './delivery-settings';

/** Topic and subscription names of one local pipeline (tests prefix them to stay apart). */
export interface TopologyNames {
  topic: string;
  deadLetterTopic: string;
  poisonTopic: string;
  /** Pulled by the push bridge; carries the retry and dead-letter policies. */
  pushSubscription: string;
  /** Read by the BigQuery stand-in, like the BigQuery subscriptions in Terraform. */
  deadLetterTableSubscription: string;
  poisonTableSubscription: string;
  /** The notifier's lifecycle events (EVENTS_TOPIC; notification-events in Terraform). */
  eventsTopic: string;
  eventsTableSubscription: string;
}

export function topologyNames(topic = 'notifications'): TopologyNames {
  return {
    topic,
    deadLetterTopic: `${topic}-dead-letter`,
    poisonTopic: `${topic}-poison`,
    pushSubscription: `${topic}-push`,
    deadLetterTableSubscription: `${topic}-dead-letter-bigquery`,
    poisonTableSubscription: `${topic}-poison-bigquery`,
    eventsTopic: `${topic}-events`,
    eventsTableSubscription: `${topic}-events-bigquery`,
  };
}

export interface Topology {
  push: Subscription;
  deadLetterTable: Subscription;
  poisonTable: Subscription;
  eventsTable: Subscription;
}

async function ensureTopic(pubsub: PubSub, name: string): Promise<void> {
  const [exists] = await pubsub.topic(name).exists();
  if (!exists) await pubsub.createTopic(name);
}

/**
 * Creates the subscription, or brings an existing one's settings up to date (Terraform
 * changed since the emulator started). The emulator refuses to update the expiration
 * policy, which is set at creation only.
 */
async function ensureSubscription(pubsub: PubSub, topic: string, name: string, settings: object): Promise<Subscription> {
  const subscription = pubsub.subscription(name);
  const [exists] = await subscription.exists();
  if (!exists) await pubsub.topic(topic).createSubscription(name, { ...settings, expirationPolicy: {} });
  else if (Object.keys(settings).length) await subscription.setMetadata(settings);
  return subscription;
}

/**
 * Creates (or brings up to date) the topics and subscriptions Terraform creates in
 * production, never expiring, with the retry, dead-letter and ack-deadline settings given. Every
 * topic gets its subscription before anything is published: a topic without one
 * drops what it receives.
 */
export async function ensureTopology(pubsub: PubSub, names: TopologyNames, settings: DeliverySettings): Promise<Topology> {
  for (const t of [names.topic, names.deadLetterTopic, names.poisonTopic, names.eventsTopic]) await ensureTopic(pubsub, t);
  const [deadLetterTable, poisonTable, eventsTable] = await Promise.all([
    ensureSubscription(pubsub, names.deadLetterTopic, names.deadLetterTableSubscription, {}),
    ensureSubscription(pubsub, names.poisonTopic, names.poisonTableSubscription, {}),
    ensureSubscription(pubsub, names.eventsTopic, names.eventsTableSubscription, {}),
  ]);
  const push = await ensureSubscription(pubsub, names.topic, names.pushSubscription, {
    ackDeadlineSeconds: settings.ackDeadlineSeconds,
    retryPolicy: {
      minimumBackoff: { seconds: settings.minimumBackoffSeconds },
      maximumBackoff: { seconds: settings.maximumBackoffSeconds },
    },
    deadLetterPolicy: {
      deadLetterTopic: pubsub.topic(names.deadLetterTopic).name,
      maxDeliveryAttempts: settings.maxDeliveryAttempts,
    },
  });
  return { push, deadLetterTable, poisonTable, eventsTable };
}
