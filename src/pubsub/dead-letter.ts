import { PubSub, Topic } from '@google-cloud/pubsub';
import type { DeadLetterPublisher, FailureRecord } from '../delivery/ports';
import { notifierTopic, publishWithin } from './publish';
import { ATTRIBUTES_ROOM, DATA_TRUNCATED, MAX_ATTRIBUTE_VALUE_BYTES, FAILURE_ATTRIBUTES, MAX_MESSAGE_BYTES, messageBytes, republishAttributes } from '../codec/attributes';
import { cutUtf8 } from '../text';

export interface PublisherOptions {
  projectId: string;
  deadLetterTopic: string;
  poisonTopic?: string;
  publishTimeoutMs: number;
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
    [FAILURE_ATTRIBUTES.code]: record.code,
    [FAILURE_ATTRIBUTES.failureClass]: record.failureClass,
    [FAILURE_ATTRIBUTES.attempts]: String(record.attempts),
    [FAILURE_ATTRIBUTES.channel]: record.channel,
    [FAILURE_ATTRIBUTES.sourceMessageId]: record.sourceMessageId,
  };
  const errorRoom = ATTRIBUTES_ROOM - messageBytes(record.data.length, reason) - FAILURE_ATTRIBUTES.error.length;
  if (errorRoom >= 0) {
    const extra = { ...reason, [FAILURE_ATTRIBUTES.error]: cutUtf8(record.error, Math.min(MAX_ATTRIBUTE_VALUE_BYTES, errorRoom)) };
    return { data: record.data, attributes: republishAttributes(record.attributes, extra, record.data.length), truncated: false };
  }
  const attributes = {
    ...reason,
    [FAILURE_ATTRIBUTES.error]: cutUtf8(record.error, MAX_ATTRIBUTE_VALUE_BYTES),
    [DATA_TRUNCATED]: String(record.data.length),
  };
  return { data: record.data.subarray(0, MAX_MESSAGE_BYTES - messageBytes(0, attributes)), attributes, truncated: true };
}

/** The original attributes plus the notifier's failure attributes. */
export const failureAttributes = (record: FailureRecord): Record<string, string> => failureMessage(record).attributes;

/** Publishes failure records to the dead-letter and poison topics. */
export function makePubSubDeadLetterPublisher(pubsub: PubSub, opts: PublisherOptions): DeadLetterPublisher {
  const deadLetter = notifierTopic(pubsub, opts.deadLetterTopic);
  const poison = opts.poisonTopic ? notifierTopic(pubsub, opts.poisonTopic) : undefined;
  const publish = (topic: Topic, message: FailureMessage) =>
    publishWithin(topic, { data: message.data, attributes: message.attributes }, opts.publishTimeoutMs, 'DEAD_LETTER_UNAVAILABLE');

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
