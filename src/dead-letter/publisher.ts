import { PubSub, Topic } from '@google-cloud/pubsub';
import { TransientError } from '../delivery/failures';
import type { DeadLetterPublisher, FailureRecord } from '../delivery/ports';
import { republishAttributes } from '../republish/publisher';
import { withTimeout } from '../timeout';

export interface PublisherOptions {
  projectId: string;
  deadLetterTopic: string;
  poisonTopic?: string;
  publishTimeoutMs: number;
}

const MAX_ATTRIBUTE_VALUE_BYTES = 1024;

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

/** The original attributes plus the notifier's failure attributes. */
export function failureAttributes(record: FailureRecord): Record<string, string> {
  return republishAttributes(record.attributes, {
    notifier_failure_code: record.code,
    notifier_failure_class: record.failureClass,
    notifier_attempts: String(record.attempts),
    notifier_channel: record.channel,
    notifier_source_message_id: record.sourceMessageId,
    notifier_error: truncateUtf8(record.error, MAX_ATTRIBUTE_VALUE_BYTES),
  });
}

/** Publishes failure records to the dead-letter and poison topics. */
export function makePubSubDeadLetterPublisher(pubsub: PubSub, opts: PublisherOptions): DeadLetterPublisher {
  const topicOptions = { batching: { maxMessages: 100, maxMilliseconds: 5 } };
  const deadLetter = pubsub.topic(opts.deadLetterTopic, topicOptions);
  const poison = opts.poisonTopic ? pubsub.topic(opts.poisonTopic, topicOptions) : undefined;

  async function publish(topic: Topic, record: FailureRecord): Promise<void> {
    try {
      await withTimeout(
        topic.publishMessage({ data: record.data, attributes: failureAttributes(record) }),
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

  return {
    deadLetter: (record) => publish(deadLetter, record),
    async poison(record) {
      if (!poison) return false;
      await publish(poison, record);
      return true;
    },
  };
}
