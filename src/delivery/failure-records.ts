import type { DecodeError } from '../codec/codec';
import { asDeliveryError, FailureClass, FailureCode } from './failures';
import type { DeliveryResult } from './outcomes';
import type { DeadLetterPublisher } from './ports';
import { cut } from '../text';

/** One Pub/Sub message as the push endpoint received it. */
export interface PushedMessage {
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
}

/** What a delivery knows of itself before its outcome. */
export type Known = Omit<DeliveryResult, 'outcome'>;

const MAX_ERROR_LENGTH = 240;

/** Errors recorded and logged are cut short: they are for people, and may be long. */
export const short = (text: string) => cut(text, MAX_ERROR_LENGTH);

/** Publishing failure records: the original bytes and attributes, with the reason. */
export function makeFailureRecords(deadLetters: DeadLetterPublisher) {
  async function publish(msg: PushedMessage, channel: string, code: FailureCode, failureClass: FailureClass, attempts: number, error: string) {
    await deadLetters.deadLetter({
      data: msg.data,
      attributes: msg.attributes,
      code,
      failureClass,
      attempts,
      channel,
      sourceMessageId: msg.messageId,
      error,
    });
  }

  return {
    publish,

    /** Invalid or unroutable: dead-letter without a ledger row (nothing was attempted). */
    async reject(msg: PushedMessage, result: Known, code: FailureCode, error: string): Promise<DeliveryResult> {
      await publish(msg, result.channel ?? '', code, 'permanent', 0, short(error));
      return { ...result, outcome: 'dead_lettered', code, error: short(error) };
    },

    /** Bytes that are no notification cannot enter the schema'd topic: the poison topic keeps them. */
    async poison(msg: PushedMessage, err: DecodeError): Promise<DeliveryResult> {
      const error = short(err.message);
      const result = { messageId: msg.messageId, code: 'UNDECODABLE_PAYLOAD' as const, error };
      try {
        await deadLetters.poison({
          data: msg.data,
          attributes: msg.attributes,
          code: 'UNDECODABLE_PAYLOAD',
          failureClass: 'permanent',
          attempts: 0,
          channel: '',
          sourceMessageId: msg.messageId,
          error,
        });
      } catch (publishErr) {
        const failure = asDeliveryError(publishErr);
        return { ...result, outcome: 'retry', code: failure.code, error: short(failure.message) };
      }
      return { ...result, outcome: 'poisoned' };
    },
  };
}

export type FailureRecords = ReturnType<typeof makeFailureRecords>;
