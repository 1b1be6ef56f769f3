import { ClientConfig, PubSub } from '@google-cloud/pubsub';
import type { NotificationEvent } from '../codec/event';
import { eventMessage } from '../pubsub/events';
import { createNotifierClient, NotifierClient } from '../client';
import { loadPublisherConfig, SchemaEncoding } from '../config';
import { emulatorAnswers } from '../local/emulator';
import { CliError, EXIT } from './errors';
import type { GlobalFlags } from './flags';

/** Where and how a command publishes, after flags, environment and `--local` are combined. */
export interface Connection {
  projectId: string;
  topic: string;
  encoding: SchemaEncoding;
  /** `host:port` of the Pub/Sub emulator; absent for real Pub/Sub. */
  emulatorHost?: string;
  /** Stamped on notifications that have no source of their own. */
  source?: string;
  /** Signs the notifier_* attributes of replays and resends (INTERNAL_SIGNING_KEYS). */
  signingKey?: string;
  /** The lifecycle events topic (EVENTS_TOPIC), for what a command changes itself (a resolution); absent: none are published. */
  eventsTopic?: string;
}

/** The part of the producer client the commands use (a real NotifierClient fits), and publishing one lifecycle event. */
export type CliClient = Pick<NotifierClient, 'publish' | 'broadcast' | 'republish' | 'close'> & {
  publishEvent(topic: string, event: NotificationEvent): Promise<void>;
};

/** Makes the client a command publishes through; tests pass a fake. */
export type ClientFactory = (connection: Connection) => CliClient | Promise<CliClient>;

const ENCODINGS: readonly SchemaEncoding[] = ['JSON', 'BINARY'];

function encodingFlag(value: string): SchemaEncoding {
  const match = ENCODINGS.find((e) => e === value.toUpperCase());
  if (!match) throw new CliError(`--encoding: must be JSON or BINARY, got "${value}"`);
  return match;
}

/**
 * Flags win over the environment (GOOGLE_CLOUD_PROJECT, NOTIFIER_TOPIC, SCHEMA_ENCODING,
 * PUBSUB_EMULATOR_HOST); `--local` fills in what `npm start` uses, so it always reaches an
 * emulator, never a real project.
 */
export function resolveConnection(flags: GlobalFlags, env: Record<string, string | undefined>): Connection {
  const base = loadPublisherConfig(env, { local: flags.local });
  const projectId = flags.project ?? base.projectId;
  if (!projectId) {
    throw new CliError('no project: pass --project, set GOOGLE_CLOUD_PROJECT, or use --local for the npm start pipeline');
  }
  return {
    projectId,
    topic: flags.topic ?? base.topic,
    encoding: flags.encoding !== undefined ? encodingFlag(flags.encoding) : base.encoding,
    ...(base.emulatorHost && { emulatorHost: base.emulatorHost }),
    ...(flags.source !== undefined && { source: flags.source }),
    ...(base.signingKey && { signingKey: base.signingKey }),
    ...(base.eventsTopic && { eventsTopic: base.eventsTopic }),
  };
}

/**
 * Replays and resends carry notifier_* attributes, which the notifier obeys only when signed:
 * without a key they would be delivered as new notifications or not at all.
 */
export function requireSigningKey(c: Connection, command: string): void {
  if (c.signingKey) return;
  throw new CliError(
    `${command} needs INTERNAL_SIGNING_KEYS, the notifier's key for its own attributes ` +
      '(gcloud secrets versions access latest --secret=notifier-internal-signing-keys); --local uses the local key',
  );
}

/**
 * A real client: its own PubSub (emulator-aware), closed together with the notifier
 * client. An emulator that is not running is reported at once; the Pub/Sub library would
 * retry for a minute and then fail with a page of gRPC errors.
 */
export const createPubSubClient: ClientFactory = async (c) => {
  if (c.emulatorHost && !(await emulatorAnswers(c.emulatorHost))) {
    throw new CliError(
      `no Pub/Sub emulator answers at ${c.emulatorHost}: is it running? (npm start runs the local pipeline)`,
      EXIT.PUBLISH_FAILED,
    );
  }
  // universeDomain is given for the emulator: without it the auth library probes for a GCE
  // metadata server (and warns) although no credentials are needed.
  const options: ClientConfig = c.emulatorHost
    ? { projectId: c.projectId, apiEndpoint: c.emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' }
    : { projectId: c.projectId };
  const pubsub = new PubSub(options);
  const client = createNotifierClient({ pubsub, topic: c.topic, encoding: c.encoding, source: c.source, signingKey: c.signingKey });
  return {
    publish: (input) => client.publish(input),
    broadcast: (options) => client.broadcast(options),
    republish: (n, attributes) => client.republish(n, attributes),
    publishEvent: async (topic, event) => void (await pubsub.topic(topic).publishMessage(eventMessage(event))),
    async close() {
      try {
        await client.close();
      } finally {
        await pubsub.close();
      }
    },
  };
};

/**
 * Runs `fn` with a client and always closes it (which flushes pending publishes). When
 * `fn` failed, a failure to close is not reported over the first error.
 */
export async function withClient<T>(
  factory: ClientFactory,
  connection: Connection,
  fn: (client: CliClient) => Promise<T>,
): Promise<T> {
  const client = await factory(connection);
  let result: T;
  try {
    result = await fn(client);
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  await client.close();
  return result;
}
