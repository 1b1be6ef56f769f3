import { LIMITS } from '../../../src/codec/payload-checks';
import { DecodeError, decodeNotification, encodeNotification, encodingOf } from '../../../src/codec/codec';
import { CHANNELS } from '../../../src/codec/notification';
import { aNotification } from '../fakes';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const decodeJson = (value: unknown) => decodeNotification(json(value), 'JSON');

const camel = {
  notificationId: 'n-1',
  accountId: 'acct-1',
  type: 'order.shipped',
  channel: 'EMAIL',
  source: 'orders',
  createdAtMicros: '1700000000000000',
  expiresAtMicros: '1800000000000000',
  email: { to: 'alice@example.com', subject: 'Hi', text: 'Body', html: '<p>Body</p>' },
};

const expected = {
  notificationId: 'n-1',
  accountId: 'acct-1',
  type: 'order.shipped',
  channel: CHANNELS.EMAIL,
  source: 'orders',
  createdAtMicros: 1_700_000_000_000_000n,
  expiresAtMicros: 1_800_000_000_000_000n,
  email: { to: 'alice@example.com', subject: 'Hi', text: 'Body', html: '<p>Body</p>' },
};

describe('decodeNotification (JSON)', () => {
  test('when fields use lowerCamelCase names, then every field is decoded', () => {
    expect(decodeJson(camel)).toEqual(expected);
  });

  test('when fields use the original snake_case names, then every field is decoded', () => {
    const snake = {
      notification_id: 'n-1',
      account_id: 'acct-1',
      type: 'order.shipped',
      channel: 'EMAIL',
      source: 'orders',
      created_at_micros: '1700000000000000',
      expires_at_micros: '1800000000000000',
      email: camel.email,
    };
    expect(decodeJson(snake)).toEqual(expected);
  });

  test('when the channel is given by number, then it decodes like the name', () => {
    expect(decodeJson({ ...camel, channel: 1 }).channel).toBe(CHANNELS.EMAIL);
  });

  test('when the channel number is unknown to this build, then it is kept as sent', () => {
    expect(decodeJson({ ...camel, channel: 42 }).channel).toBe(42);
  });

  test('when int64 fields are JSON numbers, then they decode like strings', () => {
    const n = decodeJson({ ...camel, createdAtMicros: 1700000000000000, expiresAtMicros: 0 });
    expect(n.createdAtMicros).toBe(1_700_000_000_000_000n);
    expect(n.expiresAtMicros).toBe(0n);
  });

  test('when unknown fields are present, then they are ignored', () => {
    const n = decodeJson({ ...camel, priority: 'high', email: { ...camel.email, cc: ['x@example.com'] } });
    expect(n).toEqual(expected);
  });

  test('when unknown fields share a name with Object.prototype members, then they are ignored too', () => {
    const withProtoNames = JSON.parse(`{"notificationId":"n-1","constructor":1,"toString":"x","__proto__":{"a":1}}`);
    expect(decodeJson(withProtoNames).notificationId).toBe('n-1');
  });

  test('when fields are null, then they take their default values', () => {
    const n = decodeJson({ notificationId: 'n-1', type: null, channel: null, createdAtMicros: null, email: null });
    expect(n).toEqual({
      notificationId: 'n-1',
      accountId: '',
      type: '',
      channel: 0,
      source: '',
      createdAtMicros: 0n,
      expiresAtMicros: 0n,
      email: undefined,
    });
  });

  test.each([
    ['notification_id', { notificationId: 5 }],
    ['type', { type: ['a'] }],
    ['channel', { channel: true }],
    ['channel', { channel: 'email' }],
    ['channel', { channel: 1.5 }],
    ['created_at_micros', { createdAtMicros: 'soon' }],
    ['created_at_micros', { createdAtMicros: 1.5 }],
    ['expires_at_micros', { expiresAtMicros: {} }],
    ['email', { email: 'alice@example.com' }],
    ['email.to', { email: { to: 5 } }],
    ['email.subject', { email: { subject: false } }],
  ])('when %s has the wrong type, then a DecodeError names it', (field, fields) => {
    expect(() => decodeJson({ ...camel, ...fields })).toThrow(DecodeError);
    expect(() => decodeJson({ ...camel, ...fields })).toThrow(field);
  });

  test.each(['toString', 'constructor', '1'])('when the channel is the string %p, then a DecodeError names channel', (value) => {
    expect(() => decodeJson({ ...camel, channel: value })).toThrow(DecodeError);
    expect(() => decodeJson({ ...camel, channel: value })).toThrow('channel');
  });

  test.each([
    ['9223372036854775808'],
    ['-9223372036854775809'],
    ['99999999999999999999999'],
  ])('when an int64 is %s, then a DecodeError says it is out of range', (value) => {
    expect(() => decodeJson({ ...camel, createdAtMicros: value })).toThrow(/created_at_micros: .* out of range for int64/);
  });

  test('when an int64 JSON number is beyond exact double precision, then a DecodeError names the field', () => {
    expect(() => decodeJson({ ...camel, createdAtMicros: 2 ** 60 })).toThrow(/created_at_micros/);
  });

  test('when an int64 is at its limits, then it decodes exactly', () => {
    const n = decodeJson({ ...camel, createdAtMicros: '9223372036854775807', expiresAtMicros: '-9223372036854775808' });
    expect(n.createdAtMicros).toBe(9223372036854775807n);
    expect(n.expiresAtMicros).toBe(-9223372036854775808n);
  });

  test.each([['[1,2]'], ['"text"'], ['42'], ['null']])('when the payload is the JSON %s, then a DecodeError says an object was expected', (text) => {
    expect(() => decodeNotification(Buffer.from(text), 'JSON')).toThrow(new DecodeError('payload: expected a JSON object'));
  });

  test('when megabytes of objects sit in unknown fields, then the payload is refused before it is parsed', () => {
    const json = JSON.stringify({ ...camel, pad: Array.from({ length: 1001 }, () => ({})) });
    expect(() => decodeNotification(Buffer.from(json), 'JSON')).toThrow(new DecodeError('payload holds more than 1000 JSON objects and arrays: not decoded'));
  });

  test('when brackets are inside strings, then they are not counted as objects or arrays', () => {
    const n = decodeJson({ ...camel, email: { ...camel.email, text: '[{\\"'.repeat(2000) } });
    expect(n.email!.text).toBe('[{\\"'.repeat(2000));
  });

  test('when the payload is larger than the notification limit, then it is refused without being decoded', () => {
    const padded = Buffer.concat([Buffer.from(JSON.stringify(camel)), Buffer.alloc(LIMITS.notificationBytes, ' ')]);
    expect(() => decodeNotification(padded, 'JSON')).toThrow(/more than 8388608: not decoded/);
    expect(() => decodeNotification(Buffer.alloc(LIMITS.notificationBytes + 1), 'BINARY')).toThrow(/not decoded/);
  });

  test('when the payload is not JSON, then a DecodeError says so', () => {
    expect(() => decodeNotification(Buffer.from('{"a":'), 'JSON')).toThrow(new DecodeError('payload is not valid JSON'));
  });
});

describe('decodeNotification (BINARY) and encodeNotification', () => {
  test('when a notification is encoded BINARY and decoded, then it round-trips', () => {
    const n = aNotification({ expiresAtMicros: 9223372036854775807n });
    expect(decodeNotification(encodeNotification(n, 'BINARY'), 'BINARY')).toEqual(n);
  });

  test('when a notification is encoded JSON and decoded, then it round-trips', () => {
    const n = aNotification({ email: { to: 'a@example.com', subject: 's', text: '', html: '<b>x</b>' } });
    expect(decodeNotification(encodeNotification(n, 'JSON'), 'JSON')).toEqual(n);
  });

  test('when a notification without email is round-tripped, then email stays absent', () => {
    const n = aNotification({ channel: CHANNELS.SMS, email: undefined });
    expect(decodeNotification(encodeNotification(n, 'BINARY'), 'BINARY')).toEqual(n);
  });

  test('when a notification with an unknown channel number is round-tripped, then the number is kept', () => {
    const n = aNotification({ channel: 42 });
    expect(decodeNotification(encodeNotification(n, 'BINARY'), 'BINARY').channel).toBe(42);
    expect(decodeNotification(encodeNotification(n, 'JSON'), 'JSON').channel).toBe(42);
  });

  test('when encoded as JSON, then it uses canonical proto3 JSON: lowerCamelCase, enum names, int64 strings', () => {
    const plain = JSON.parse(encodeNotification(aNotification(), 'JSON').toString());
    expect(plain).toMatchObject({ notificationId: 'n-1', channel: 'EMAIL', createdAtMicros: '1700000000000000' });
    expect(plain).not.toHaveProperty('expiresAtMicros');
  });

  test('when the binary payload is empty, then it decodes to an all-default notification', () => {
    expect(decodeNotification(Buffer.alloc(0), 'BINARY')).toMatchObject({ notificationId: '', channel: 0 });
  });

  test.each([
    ['truncated varint', [0xff, 0xff, 0xff]],
    ['invalid wire type', [0x07]],
    ['length beyond the end', [0x22, 0x10, 0x01]],
  ])('when the binary payload is garbage (%s), then a DecodeError is thrown', (_, bytes) => {
    expect(() => decodeNotification(Buffer.from(bytes), 'BINARY')).toThrow(DecodeError);
    expect(() => decodeNotification(Buffer.from(bytes), 'BINARY')).toThrow(/not a binary notifier\.v1\.Notification/);
  });
});

describe('encodingOf', () => {
  test.each([
    [{ googclient_schemaencoding: 'JSON' }, 'BINARY', 'JSON'],
    [{ googclient_schemaencoding: 'BINARY' }, 'JSON', 'BINARY'],
    [{ googclient_schemaencoding: 'binary' }, 'JSON', 'BINARY'],
    [{ googclient_schemaencoding: 'json' }, 'BINARY', 'JSON'],
    [{}, 'JSON', 'JSON'],
    [{}, 'BINARY', 'BINARY'],
    [{ googclient_schemaencoding: 'XML' }, 'BINARY', 'BINARY'],
    [{ googclient_schemaencoding: '' }, 'JSON', 'JSON'],
  ] as const)('when the attributes are %j and the fallback is %s, then the encoding is %s', (attributes, fallback, encoding) => {
    expect(encodingOf(attributes, fallback)).toBe(encoding);
  });
});

describe('every channel payload through both encodings', () => {
  const payloads = {
    sms: { channel: CHANNELS.SMS, sms: { to: '+819012345678', body: 'Code 1234' } },
    push: { channel: CHANNELS.PUSH, push: { deviceToken: 'tok:1', title: 'T', body: 'B', data: { orderId: '42', 'k-2': 'v' } } },
    slack: { channel: CHANNELS.SLACK, slack: { channel: 'C0123456789', text: '*done*' } },
    line: { channel: CHANNELS.LINE, line: { to: `U${'a'.repeat(32)}`, text: 'こんにちは' } },
    webhook: { channel: CHANNELS.WEBHOOK, webhook: { url: 'https://hooks.example.com/x', payloadJson: '{"a":[1,2]}' } },
  };

  test.each(Object.entries(payloads).flatMap(([name, p]) => (['JSON', 'BINARY'] as const).map((enc) => [name, enc, p] as const)))(
    'when a %s notification is encoded as %s and decoded, then it comes back unchanged',
    (_, encoding, payload) => {
      const n = aNotification({ email: undefined, ...payload });
      expect(decodeNotification(encodeNotification(n, encoding), encoding)).toEqual(n);
    },
  );

  test('when JSON uses the proto field names of a payload (snake_case), then they decode too', () => {
    const json = { notification_id: 'n', type: 't', channel: 'PUSH', push: { device_token: 'tok', body: 'B', data: { a: '1' } } };
    expect(decodeNotification(Buffer.from(JSON.stringify(json)), 'JSON').push).toEqual({ deviceToken: 'tok', title: '', body: 'B', data: { a: '1' } });
  });

  test('when a push data value is not a string, then the payload is undecodable, naming the field', () => {
    const json = { notificationId: 'n', type: 't', channel: 'PUSH', push: { deviceToken: 'tok', data: { a: 1 } } };
    expect(() => decodeNotification(Buffer.from(JSON.stringify(json)), 'JSON')).toThrow('push.data.a: expected a string');
  });
});
