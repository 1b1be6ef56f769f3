import { Message, Subscription } from '@google-cloud/pubsub';

/** Status codes Pub/Sub push treats as an ack; anything else is a nack. */
export const PUSH_ACK_STATUSES: ReadonlySet<number> = new Set([102, 200, 201, 202, 204]);

/** The wrapped push envelope Pub/Sub POSTs for a message (both key spellings, like the real one). */
export function pushEnvelope(message: Message, subscriptionName: string): Record<string, unknown> {
  const publishTime = message.publishTime.toISOString();
  return {
    message: {
      data: message.data.toString('base64'),
      attributes: message.attributes,
      messageId: message.id,
      message_id: message.id,
      publishTime,
      publish_time: publishTime,
      ...(message.orderingKey && { orderingKey: message.orderingKey }),
    },
    subscription: subscriptionName,
    ...(message.deliveryAttempt > 0 && { deliveryAttempt: message.deliveryAttempt }),
  };
}

export interface PushBridgeOptions {
  subscription: Subscription;
  /** The notifier's push endpoint, e.g. http://127.0.0.1:8080/pubsub/push. */
  endpoint: string;
  /** Pub/Sub's push request timeout is the ack deadline; a timeout is a nack. */
  ackDeadlineSeconds: number;
  /** Messages being POSTed at once (Pub/Sub's push window, kept fixed here). */
  maxInFlight?: number;
  onResult?(result: { messageId: string; deliveryAttempt: number; status: number | string; acked: boolean }): void;
  onError?(err: Error): void;
}

export interface PushBridge {
  close(): Promise<void>;
}

/**
 * Push semantics over a pull subscription. The emulator's own push path neither
 * dead-letters nor sends `deliveryAttempt`; pulling honours the subscription's retry
 * and dead-letter policies, and this POSTs each message to the notifier the way push
 * does, acking on 102/200/201/202/204 and nacking on anything else.
 */
export function startPushBridge(opts: PushBridgeOptions): PushBridge {
  const { subscription } = opts;
  subscription.setOptions({ flowControl: { maxMessages: opts.maxInFlight ?? 32, allowExcessMessages: false } });
  const inFlight = new Set<Promise<void>>();

  const deliver = async (message: Message) => {
    let status: number | string;
    try {
      const res = await fetch(opts.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pushEnvelope(message, subscription.name)),
        signal: AbortSignal.timeout(opts.ackDeadlineSeconds * 1000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      status = (err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
    }
    const acked = typeof status === 'number' && PUSH_ACK_STATUSES.has(status);
    if (acked) message.ack();
    else message.nack();
    opts.onResult?.({ messageId: message.id, deliveryAttempt: message.deliveryAttempt, status, acked });
  };

  subscription.on('message', (message: Message) => {
    const pending = deliver(message).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  });
  subscription.on('error', (err) => opts.onError?.(err));
  return {
    async close() {
      subscription.removeAllListeners('message');
      await Promise.all(inFlight);
      await subscription.close();
    },
  };
}
