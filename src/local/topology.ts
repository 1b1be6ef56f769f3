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
}

export function topologyNames(topic = 'notifications'): TopologyNames {
  return {
    topic,
    deadLetterTopic: `${topic}-dead-letter`,
    poisonTopic: `${topic}-poison`,
    pushSubscription: `${topic}-push`,
    deadLetterTableSubscription: `${topic}-dead-letter-bigquery`,
    poisonTableSubscription: `${topic}-poison-bigquery`,
  };
}

export interface Topology {
  push: Subscription;
  deadLetterTable: Subscription;
  poisonTable: Subscription;
}

async function ensureTopic(pubsub: PubSub, name: string): Promise<void> {
  const [exists] = await pubsub.topic(name).exists();
  if (!exists) await pubsub.createTopic(name);
}

async function ensureSubscription(pubsub: PubSub, topic: string, name: string, metadata: object): Promise<Subscription> {
  const subscription = pubsub.subscription(name);
  const [exists] = await subscription.exists();
  if (exists) await subscription.setMetadata(metadata);
  else await pubsub.topic(topic).createSubscription(name, metadata);
  return subscription;
}

/**
 * Creates (or brings up to date) the topics and subscriptions Terraform creates in
 * production, with the retry, dead-letter and ack-deadline settings given. Every
 * topic gets its subscription before anything is published: a topic without one
 * drops what it receives.
 */
export async function ensureTopology(pubsub: PubSub, names: TopologyNames, settings: DeliverySettings): Promise<Topology> {
  for (const t of [names.topic, names.deadLetterTopic, names.poisonTopic]) await ensureTopic(pubsub, t);
  const neverExpires = { expirationPolicy: {} };
  const [deadLetterTable, poisonTable] = await Promise.all([
    ensureSubscription(pubsub, names.deadLetterTopic, names.deadLetterTableSubscription, neverExpires),
    ensureSubscription(pubsub, names.poisonTopic, names.poisonTableSubscription, neverExpires),
  ]);
  const push = await ensureSubscription(pubsub, names.topic, names.pushSubscription, {
    ...neverExpires,
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
  return { push, deadLetterTable, poisonTable };
}
