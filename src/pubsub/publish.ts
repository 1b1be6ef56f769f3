import type { PubSub, Topic } from '@google-cloud/pubsub';
import { TransientError, TransientCode } from '../delivery/failures';
import { withTimeout } from '../timeout';

/** A topic the notifier publishes to, batching a few milliseconds' worth of messages. */
export const notifierTopic = (pubsub: PubSub, name: string): Topic => pubsub.topic(name, { batching: { maxMessages: 100, maxMilliseconds: 5 } });

/**
 * Publishes one message within `timeoutMs`; a failure or timeout is transient with `code`
 * (the caller nacks, or leaves the work for the next attempt). Resolves to the message ID.
 */
export async function publishWithin(
  topic: Topic,
  message: { data: Buffer; attributes: Record<string, string> },
  timeoutMs: number,
  code: TransientCode,
): Promise<string> {
  try {
    return await withTimeout(topic.publishMessage(message), timeoutMs, () => new Error(`timed out after ${timeoutMs} ms`));
  } catch (err) {
    throw new TransientError(code, `publishing to ${topic.name} failed: ${(err as Error).message}`, { cause: err });
  }
}
