import { LOCAL_SIGNING_KEY } from '../../src/codec/internal-attributes';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { Message, Subscription } from '@google-cloud/pubsub';
import { createNotifierClient, NotifierClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { DeliverySettings } from '../../src/local/delivery-settings';
import { Pipeline, startPipeline } from '../../src/local/pipeline';
import { topologyNames, TopologyNames } from '../../src/local/topology';
import { createTestDatabase, TestDatabase } from './db';
import { notifierEnv } from './notifier';
import { SmtpSink, startSmtpSink } from './smtp-sink';

/** Terraform's shape with test-sized backoff, so retries and dead-lettering take seconds. */
export const FAST_SETTINGS: DeliverySettings = {
  maxDeliveryAttempts: 5,
  notifierMaxAttempts: 3,
  minimumBackoffSeconds: 0,
  maximumBackoffSeconds: 1,
  ackDeadlineSeconds: 30,
  schemaEncoding: 'JSON',
};

/** A local pipeline on the test emulator, with its own topics, database and SMTP server. */
export interface TestPipeline {
  names: TopologyNames;
  settings: DeliverySettings;
  db: TestDatabase;
  smtp: SmtpSink;
  pipeline: Pipeline;
  client: NotifierClient;
  /** A pull subscription on the notifications topic: every message producers published. */
  published: Message[];
  close(): Promise<void>;
}

/** `env` adds to (and wins over) the notifier's test environment, e.g. a channel's settings. */
export async function startTestPipeline(settings: DeliverySettings = FAST_SETTINGS, env: Record<string, string> = {}): Promise<TestPipeline> {
  const [db, smtp] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  const names = topologyNames(`notif-${randomBytes(4).toString('hex')}`);
  const notifier = notifierEnv(
    { db, smtp, topics: names },
    {
      MAX_ATTEMPTS: String(settings.notifierMaxAttempts),
      ACK_DEADLINE_SECONDS: String(settings.ackDeadlineSeconds),
      LOG_LEVEL: 'error',
      NOTIFIER_TOPIC: names.topic,
      ...env,
    },
  );
  const config = loadConfig(notifier);
  // The notifier's own log lines are not what these tests read; the pipeline's results are.
  const pipeline = await startPipeline({ config, settings, names, log: createLogger('error', new PassThrough()) });
  const [tap]: [Subscription, ...unknown[]] = await pipeline.pubsub.topic(names.topic).createSubscription(`${names.topic}-tap`);
  const published: Message[] = [];
  tap.on('message', (m: Message) => {
    published.push(m);
    m.ack();
  });
  const client = createNotifierClient({ pubsub: pipeline.pubsub, topic: names.topic, source: 'pipeline-test', signingKey: LOCAL_SIGNING_KEY });
  return {
    names,
    settings,
    db,
    smtp,
    pipeline,
    client,
    published,
    async close() {
      await client.close();
      await tap.close();
      await pipeline.stop();
      await smtp.close();
      await db.drop();
    },
  };
}
