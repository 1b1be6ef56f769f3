import { LOCAL_SIGNING_KEY, signInternal } from '../../src/codec/internal-attributes';
import { randomUUID } from 'node:crypto';
import { Encoding, encodeNotification } from '../../src/codec/codec';
import { CHANNELS, Notification } from '../../src/codec/notification';

/** A valid EMAIL notification with a fresh id. */
export function emailNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    notificationId: `n-${randomUUID()}`,
    accountId: 'acct-1',
    type: 'order.shipped',
    channel: CHANNELS.EMAIL,
    source: 'orders',
    createdAtMicros: BigInt(Date.now()) * 1000n,
    expiresAtMicros: 0n,
    email: { to: 'alice@example.com', subject: 'Your order shipped', text: 'It is on its way.', html: '' },
    ...overrides,
  };
}

export interface EnvelopeOptions {
  messageId?: string;
  encoding?: Encoding;
  attributes?: Record<string, string>;
  deliveryAttempt?: number;
  /** Sign the notifier_* attributes with the local key, as the notifier and the CLI do (else the notifier ignores them). */
  signed?: boolean;
}

/** A wrapped push envelope as Pub/Sub sends it, around raw payload bytes. */
export function envelopeFor(data: Buffer, opts: EnvelopeOptions = {}): Record<string, unknown> {
  const messageId = opts.messageId ?? String(Math.floor(Math.random() * 1e15));
  return {
    message: {
      data: data.toString('base64'),
      attributes: { googclient_schemaencoding: opts.encoding ?? 'JSON', ...(opts.signed ? signInternal(data, opts.attributes ?? {}, LOCAL_SIGNING_KEY) : opts.attributes) },
      messageId,
      message_id: messageId,
      publishTime: new Date().toISOString(),
      publish_time: new Date().toISOString(),
    },
    subscription: 'projects/notifier-test/subscriptions/notifications-push',
    ...(opts.deliveryAttempt !== undefined && { deliveryAttempt: opts.deliveryAttempt }),
  };
}

/** The push envelope for a notification. */
export function pushEnvelope(n: Notification, opts: EnvelopeOptions = {}): Record<string, unknown> {
  return envelopeFor(encodeNotification(n, opts.encoding ?? 'JSON'), opts);
}

/** POSTs an envelope to a notifier; returns the status. */
export async function push(baseUrl: string, envelope: unknown, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/pubsub/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(envelope),
  });
  await res.arrayBuffer();
  return res.status;
}
