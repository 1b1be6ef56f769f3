import { PubSub, Topic } from '@google-cloud/pubsub';
import { TransientError } from '../delivery/failures';
import type { DeadLetterPublisher, FailureRecord } from '../delivery/ports';
import { ATTRIBUTES_ROOM, MAX_MESSAGE_BYTES, messageBytes, republishAttributes } from '../republish/publisher';
import { withTimeout } from '../timeout';

export interface PublisherOptions {
  projectId: string;
  deadLetterTopic: string;
  poisonTopic?: string;
  publishTimeoutMs: number;
}

const MAX_ATTRIBUTE_VALUE_BYTES = 1024;
const ERROR_ATTRIBUTE = 'notifier_error';

/** Set on a failure record whose data was cut to make room for its reason: the original length. */
export const DATA_TRUNCATED = 'notifier_data_truncated';

/** At most `maxBytes` of UTF-8, cut between characters. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

/** A failure record as Pub/Sub takes it; `truncated`: its data had to be cut (it is no notification any more). */
export interface FailureMessage {
  data: Buffer;
  attributes: Record<string, string>;
  truncated: boolean;
}

/**
 * The original bytes and attributes plus the notifier's failure attributes, within Pub/Sub's
 * limits: the producer's attributes give way first, then the length of the error text. Only
 * a message within ~300 bytes of 10 MB has its data cut, keeping the reason.
 */
export function failureMessage(record: FailureRecord): FailureMessage {
  const reason = {
    notifier_failure_code: record.code,
    notifier_failure_class: record.failureClass,
    notifier_attempts: String(record.attempts),
    notifier_channel: record.channel,
    notifier_source_message_id: record.sourceMessageId,
  };
  const errorRoom = ATTRIBUTES_ROOM - messageBytes(record.data.length, reason) - ERROR_ATTRIBUTE.length;
  if (errorRoom >= 0) {
    const extra = { ...reason, [ERROR_ATTRIBUTE]: truncateUtf8(record.error, Math.min(MAX_ATTRIBUTE_VALUE_BYTES, errorRoom)) };
    return { data: record.data, attributes: republishAttributes(record.attributes, extra, record.data.length), truncated: false };
  }
  const attributes = {
    ...reason,
    [ERROR_ATTRIBUTE]: truncateUtf8(record.error, MAX_ATTRIBUTE_VALUE_BYTES),
    [DATA_TRUNCATED]: String(record.data.length),
  };
  return { data: record.data.subarray(0, MAX_MESSAGE_BYTES - messageBytes(0, attributes)), attributes, truncated: true };
}

/** The original attributes plus the notifier's failure attributes. */
export const failureAttributes = (record: FailureRecord): Record<string, string> => failureMessage(record).attributes;

/** Publishes failure records to the dead-letter and poison topics. */
export function makePubSubDeadLetterPublisher(pubsub: PubSub, opts: PublisherOptions): DeadLetterPublisher {
  const topicOptions = { batching: { maxMessages: 100, maxMilliseconds: 5 } };
  const deadLetter = pubsub.topic(opts.deadLetterTopic, topicOptions);
  const poison = opts.poisonTopic ? pubsub.topic(opts.poisonTopic, topicOptions) : undefined;

  async function publish(topic: Topic, message: FailureMessage): Promise<void> {
    try {
      await withTimeout(
        topic.publishMessage({ data: message.data, attributes: message.attributes }),
        opts.publishTimeoutMs,
        () => new Error(`timed out after ${opts.publishTimeoutMs} ms`),
      );
    } catch (err) {
      throw new TransientError(
        'DEAD_LETTER_UNAVAILABLE',
        `publishing to ${topic.name} failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Cut data is no notification: only the schema-less poison topic takes it (none configured: logged by the caller). */
  async function poisonOrNothing(message: FailureMessage): Promise<boolean> {
    if (!poison) return false;
    await publish(poison, message);
    return true;
  }

  return {
    async deadLetter(record) {
      const message = failureMessage(record);
      if (message.truncated) await poisonOrNothing(message);
      else await publish(deadLetter, message);
    },
    poison: (record) => poisonOrNothing(failureMessage(record)),
  };
}
