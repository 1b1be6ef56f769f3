import { EnvelopeError, parseEnvelope } from '../../../src/http/envelope';

const data = Buffer.from('{"notificationId":"n-1"}');
const envelope = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  message: { data: data.toString('base64'), attributes: { a: 'b' }, ...message },
  subscription: 'projects/p/subscriptions/s',
  ...extra,
});

describe('parseEnvelope', () => {
  test('when the message has a camelCase messageId, then it is parsed with data decoded and attributes kept', () => {
    expect(parseEnvelope(envelope({ messageId: 'm-1' }))).toEqual({
      message: { messageId: 'm-1', data, attributes: { a: 'b' } },
      subscription: 'projects/p/subscriptions/s',
      deliveryAttempt: undefined,
    });
  });

  test('when the message only has a snake_case message_id, then it is used', () => {
    expect(parseEnvelope(envelope({ message_id: 'm-2' })).message.messageId).toBe('m-2');
  });

  test('when both messageId and message_id are present, then messageId wins', () => {
    expect(parseEnvelope(envelope({ messageId: 'm-1', message_id: 'm-2' })).message.messageId).toBe('m-1');
  });

  test('when deliveryAttempt is an integer, then it is reported', () => {
    expect(parseEnvelope(envelope({ messageId: 'm-1' }, { deliveryAttempt: 3 })).deliveryAttempt).toBe(3);
  });

  test.each([['a string', '3'], ['a fraction', 1.5], ['null', null]])('when deliveryAttempt is %s, then it is left out', (_, attempt) => {
    expect(parseEnvelope(envelope({ messageId: 'm-1' }, { deliveryAttempt: attempt })).deliveryAttempt).toBeUndefined();
  });

  test('when data is absent, then the data is an empty buffer', () => {
    const parsed = parseEnvelope({ message: { messageId: 'm-1' } });
    expect(parsed.message.data).toEqual(Buffer.alloc(0));
    expect(parsed.message.attributes).toEqual({});
    expect(parsed.subscription).toBe('');
  });

  test('when attributes are null, then there are no attributes', () => {
    expect(parseEnvelope(envelope({ messageId: 'm-1', attributes: null })).message.attributes).toEqual({});
  });

  test.each([
    ['the body is not an object', 'text', 'body has no "message" object'],
    ['the body is null', null, 'body has no "message" object'],
    ['the message is missing', { subscription: 's' }, 'body has no "message" object'],
    ['the message is an array', { message: [] }, 'body has no "message" object'],
    ['the messageId is missing', envelope({}), 'message has no messageId'],
    ['the messageId is empty', envelope({ messageId: '' }), 'message has no messageId'],
    ['the messageId is a number', envelope({ messageId: 5 }), 'message has no messageId'],
    ['data is not a string', envelope({ messageId: 'm-1', data: 5 }), 'message.data is not a base64 string'],
    ['attributes is an array', envelope({ messageId: 'm-1', attributes: ['a'] }), 'message.attributes is not an object'],
    ['an attribute is not a string', envelope({ messageId: 'm-1', attributes: { n: 1 } }), 'attribute "n" is not a string'],
  ])('when %s, then an EnvelopeError says so', (_, body, message) => {
    expect(() => parseEnvelope(body)).toThrow(EnvelopeError);
    expect(() => parseEnvelope(body)).toThrow(message);
  });
});
