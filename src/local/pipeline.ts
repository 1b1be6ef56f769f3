import { PubSub } from '@google-cloud/pubsub';
import { Config } from '../config';
import { EVENTS_TABLE } from '../events/table';
import { createPool } from '../mysql/pool';
import { Logger } from '../logging';
import { RunningNotifier, startNotifier } from '../main';
import { startBigQueryStandIn } from './bigquery-standin';
import { DeliverySettings } from './delivery-settings';
import { startPushBridge } from './push-bridge';
import { startReleaseScheduler } from './release-scheduler';
import { ensureTopology, TopologyNames } from './topology';

/** Who dead-lettered a message and why, from its attributes. */
function failureReason(a: Record<string, string>): string {
  if (a.notifier_failure_code) return `${a.notifier_failure_code} after ${a.notifier_attempts} attempt(s): ${a.notifier_error ?? ''}`;
  const count = a.CloudPubSubDeadLetterSourceDeliveryCount;
  return count ? `dead-lettered by Pub/Sub after ${count} deliveries` : 'no failure attributes';
}

export interface PipelineOptions {
  /** The notifier's config; its topics must be the ones in `names`. */
  config: Config;
  settings: DeliverySettings;
  names: TopologyNames;
  log?: Logger;
  /** One human-readable line per push result, dead letter and stand-in row. */
  say?(line: string): void;
  /** How often held notifications are released (Cloud Scheduler: every minute). */
  releaseEveryMs?: number;
}

/** Locally more often than Cloud Scheduler's minute, so quiet hours ending is seen soon. */
const RELEASE_EVERY_MS = 15_000;

export interface Pipeline {
  notifier: RunningNotifier;
  /** Push results so far: acked (2xx) and nacked (anything else, redelivered by Pub/Sub). */
  pushes: { acked: number; nacked: number };
  pubsub: PubSub;
  /** Stops pulling, lets in-flight pushes finish, then stops the notifier and closes clients. */
  stop(): Promise<void>;
}

/**
 * Everything between the topic and the mail server, as in production: topics and
 * subscriptions with Terraform's settings, the push bridge, the notifier, the release
 * schedule, and the stand-in for the BigQuery subscriptions (failures and lifecycle
 * events). Needs a running emulator and database.
 */
export async function startPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const { config, names } = opts;
  const { projectId, emulatorHost, deadLetterTopic, poisonTopic } = config.pubsub;
  if (!emulatorHost) throw new Error('the local pipeline needs PUBSUB_EMULATOR_HOST');
  // The stand-in stores the lifecycle events: a config without EVENTS_TOPIC publishes them where it reads.
  const eventsTopic = config.pubsub.eventsTopic ?? names.eventsTopic;
  const topics = [config.pubsub.notificationsTopic, deadLetterTopic, poisonTopic, eventsTopic];
  const expected = [names.topic, names.deadLetterTopic, names.poisonTopic, names.eventsTopic];
  if (topics.some((t, i) => t !== expected[i])) {
    throw new Error(`NOTIFIER_TOPIC/DEAD_LETTER_TOPIC/POISON_TOPIC/EVENTS_TOPIC must be ${expected.join('/')} in the local pipeline`);
  }
  const say = opts.say ?? (() => undefined);
  const pubsub = new PubSub({ projectId, apiEndpoint: emulatorHost, emulatorMode: true });
  const topology = await ensureTopology(pubsub, names, opts.settings);
  const pool = createPool({ url: config.mysql.url, size: 2, timeoutMs: config.mysql.queryTimeoutMs });
  const standIn = await startBigQueryStandIn({
    pool,
    deadLetterSubscription: topology.deadLetterTable,
    poisonSubscription: topology.poisonTable,
    eventsSubscription: topology.eventsTable,
    defaultEncoding: config.pubsub.defaultEncoding,
    // Failures are printed; lifecycle events, several per notification, are queried (docs/analysts.md "Lifecycle events").
    onRow: ({ table, messageId, attributes }) => {
      if (table !== EVENTS_TABLE) say(`${table} row: ${failureReason(attributes)} [message ${messageId}]`);
    },
    onError: (err) => say(`BigQuery stand-in: ${err.message}`),
  });
  const notifier = await startNotifier({ ...config, pubsub: { ...config.pubsub, eventsTopic } }, { log: opts.log });
  const pushes = { acked: 0, nacked: 0 };
  const bridge = startPushBridge({
    subscription: topology.push,
    endpoint: `http://127.0.0.1:${notifier.port}/pubsub/push`,
    ackDeadlineSeconds: opts.settings.ackDeadlineSeconds,
    // Each push's outcome is the notifier's own log line (npm start: outcome-lines.ts), not its HTTP status.
    onResult: (r) => {
      pushes[r.acked ? 'acked' : 'nacked']++;
    },
    onError: (err) => say(`push bridge: ${err.message}`),
  });
  const releases = startReleaseScheduler({
    endpoint: `http://127.0.0.1:${notifier.port}/tasks/release-held`,
    everyMs: opts.releaseEveryMs ?? RELEASE_EVERY_MS,
    say,
  });
  return {
    notifier,
    pushes,
    pubsub,
    async stop() {
      await releases.close();
      await bridge.close();
      await standIn.close();
      await notifier.stop();
      await pool.end();
      await pubsub.close();
    },
  };
}
