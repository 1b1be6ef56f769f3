import type { Message } from '@google-cloud/pubsub';
import { PUSH_ACK_STATUSES, pushEnvelope } from '../../../src/local/push-bridge';
import { parseEnvelope } from '../../../src/http/envelope';

const message = (overrides: Partial<Message> = {}) =>
  ({
    id: '42',
    data: Buffer.from('{"notificationId":"n-1"}'),
    attributes: { type: 'order.shipped' },
    publishTime: new Date('2026-11-22T01:02:03.456Z'),
    orderingKey: '',
    deliveryAttempt: 3,
    ...overrides,
  }) as unknown as Message;

describe('pushEnvelope', () => {
  test('when a pulled message is wrapped, then it has the shape Pub/Sub push sends, both key spellings included', () => {
    expect(pushEnvelope(message(), 'projects/p/subscriptions/s')).toEqual({
      message: {
        data: Buffer.from('{"notificationId":"n-1"}').toString('base64'),
        attributes: { type: 'order.shipped' },
        messageId: '42',
        message_id: '42',
        publishTime: '2026-11-22T01:02:03.456Z',
        publish_time: '2026-11-22T01:02:03.456Z',
      },
      subscription: 'projects/p/subscriptions/s',
      deliveryAttempt: 3,
    });
  });

  test("when it is wrapped, then the notifier's own envelope parser accepts it", () => {
    const parsed = parseEnvelope(pushEnvelope(message(), 'projects/p/subscriptions/s'));
    expect(parsed).toMatchObject({ message: { messageId: '42', attributes: { type: 'order.shipped' } }, deliveryAttempt: 3 });
  });

  test('when the subscription has no dead-letter policy (attempt 0) or the message an ordering key, then the envelope says so like push', () => {
    const envelope = pushEnvelope(message({ deliveryAttempt: 0, orderingKey: 'acct-1' }), 's') as {
      message: Record<string, unknown>;
      deliveryAttempt?: number;
    };
    expect(envelope.deliveryAttempt).toBeUndefined();
    expect(envelope.message.orderingKey).toBe('acct-1');
  });
});

describe('PUSH_ACK_STATUSES', () => {
  test.each([102, 200, 201, 202, 204])('when the endpoint answers %i, then it is an ack', (status) => {
    expect(PUSH_ACK_STATUSES.has(status)).toBe(true);
  });
  test.each([203, 301, 400, 404, 409, 429, 500, 503])('when the endpoint answers %i, then it is a nack', (status) => {
    expect(PUSH_ACK_STATUSES.has(status)).toBe(false);
  });
});
