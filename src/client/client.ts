import { PubSub, Topic } from '@google-cloud/pubsub';
import { Encoding, encodeNotification } from '../codec/codec';
import { channelName, Notification } from '../codec/notification';
import { broadcast, BroadcastOptions, BroadcastResult } from './broadcast';
import { InvalidNotificationError, NotificationInput, toNotification } from './notification-input';
import { signInternal } from '../codec/internal-attributes';
import { encodedSizeProblem } from '../codec/payload-checks';
import { validateNotification } from '../codec/validate';
import { INTERNAL_PREFIX } from '../codec/attributes';
import { readManifest } from '../templates/manifest';

export interface NotifierClientOptions {
  /** The project holding the topic. Optional when `pubsub` is given. */
  projectId?: string;
  /** The notifications topic; default `notifications`. */
  topic?: string;
  /** Must match the topic's schema encoding (Terraform `schema_encoding`); default JSON. */
  encoding?: Encoding;
  /** Stamped on every notification that has no `source` of its own (the producing service). */
  source?: string;
  /** An existing Pub/Sub client to publish through (it is not closed by `close`). */
  pubsub?: PubSub;
  /**
   * For operators' tools only: a key of the notifier's INTERNAL_SIGNING_KEYS, with which
   * `republish` signs `notifier_*` attributes (replays, resends). Producers have none, and the
   * notifier ignores such attributes unsigned.
   */
  signingKey?: string;
  /**
   * The producer's copy of the notifier's template catalogue (a `templates/` directory): a
   * notification naming a template not in it, or data that version does not accept, is
   * refused before publishing. Absent: only the data's shape is checked.
   */
  templates?: string;
}

export interface NotifierClient {
  /**
   * Validates, encodes and publishes one notification; resolves to the Pub/Sub message ID.
   * An invalid notification throws InvalidNotificationError synchronously and publishes nothing.
   */
  publish(input: NotificationInput): Promise<string>;
  /** Publishes one notification per recipient with IDs derived from the broadcast ID (see broadcast.ts). */
  broadcast<R>(options: BroadcastOptions<R>): Promise<BroadcastResult>;
  /**
   * Publishes an already-built notification as it is, with extra attributes (replays keep
   * the original ID and creation time). Validated like `publish`, synchronously.
   * `notifier_*` attributes need the client's `signingKey`; without it this throws.
   */
  republish(n: Notification, attributes: Record<string, string>): Promise<string>;
  /** Checks a notification without publishing: the Notification or InvalidNotificationError. */
  validate(input: NotificationInput): Notification;
  /** Flushes pending publishes and closes the Pub/Sub client it created. */
  close(): Promise<void>;
}

/** Attributes subscription filters can match on (`attributes.type = "order.shipped"`). */
export function publishAttributes(n: Notification, extra: Record<string, string> = {}): Record<string, string> {
  return {
    type: n.type,
    channel: channelName(n.channel) ?? String(n.channel),
    ...(n.source && { source: n.source }),
    ...extra,
  };
}

export function createNotifierClient(options: NotifierClientOptions): NotifierClient {
  const ownPubSub = !options.pubsub;
  if (ownPubSub && !options.projectId) throw new Error('createNotifierClient: projectId (or pubsub) is required');
  const pubsub = options.pubsub ?? new PubSub({ projectId: options.projectId });
  const topic: Topic = pubsub.topic(options.topic ?? 'notifications', {
    batching: { maxMessages: 100, maxMilliseconds: 10 },
  });
  const encoding = options.encoding ?? 'JSON';
  if (encoding !== 'JSON' && encoding !== 'BINARY') throw new Error(`createNotifierClient: unknown encoding "${encoding}"`);
  const templates = options.templates === undefined ? undefined : readManifest(options.templates);
  const defaults = () => ({ source: options.source ?? '', nowMs: Date.now(), templates });

  /** The bytes of a notification; one the notifier would refuse for its size throws InvalidNotificationError. */
  const encode = (n: Notification) => {
    const data = encodeNotification(n, encoding);
    const tooLarge = encodedSizeProblem(data.length);
    if (tooLarge) throw new InvalidNotificationError([tooLarge]);
    return { n, data };
  };
  const send = ({ n, data }: { n: Notification; data: Buffer }, extra?: Record<string, string>) => {
    const attributes = publishAttributes(n, extra);
    return topic.publishMessage({ data, attributes: options.signingKey ? signInternal(data, attributes, options.signingKey) : attributes });
  };

  return {
    publish(input) {
      return send(encode(toNotification(input, defaults())));
    },
    broadcast(opts) {
      return broadcast(opts, {
        prepare: (input) => encode(toNotification(input, defaults())),
        send: (prepared) => send(prepared, { broadcast_id: opts.broadcastId }),
      });
    },
    republish(n, attributes) {
      const problems = validateNotification(n);
      if (problems.length) throw new InvalidNotificationError(problems);
      const internal = Object.keys(attributes).filter((k) => k.startsWith(INTERNAL_PREFIX));
      if (internal.length > 0 && !options.signingKey) {
        throw new Error(`republish: ${internal.join(', ')} would be ignored by the notifier unsigned; the client needs a signingKey (INTERNAL_SIGNING_KEYS)`);
      }
      return send(encode(n), attributes);
    },
    validate: (input) => toNotification(input, defaults()),
    async close() {
      await topic.flush();
      if (ownPubSub) await pubsub.close();
    },
  };
}
