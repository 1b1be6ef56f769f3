import { CHANNELS, Notification } from '../../../src/codec/notification';
import { LIMITS } from '../../../src/codec/payload-checks';
import { TransientError } from '../../../src/delivery/failures';
import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification, rawMessage } from '../fakes';

const undecodable = [
  ['bad JSON', Buffer.from('{"notificationId": '), { googclient_schemaencoding: 'JSON' }],
  ['bad binary', Buffer.from([0xff, 0xff, 0xff]), { googclient_schemaencoding: 'BINARY' }],
  ['a JSON array', Buffer.from('[1, 2]'), { googclient_schemaencoding: 'JSON' }],
  ['a wrongly typed JSON field', Buffer.from('{"notificationId": 5}'), { googclient_schemaencoding: 'JSON' }],
] as const;

describe('makeDeliver: undecodable payloads', () => {
  test.each(undecodable)('when the payload is %s, then it is poisoned 204 with the raw bytes', async (_, data, attrs) => {
    const w = aDeliveryWorld();

    const result = await w.deliver(rawMessage(data, { ...attrs, origin: 'test' }, 'm-9'));

    expect(result).toMatchObject({ outcome: 'poisoned', code: 'UNDECODABLE_PAYLOAD', messageId: 'm-9' });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.deadLetters.poisoned).toEqual([
      expect.objectContaining({
        data,
        attributes: { ...attrs, origin: 'test' },
        code: 'UNDECODABLE_PAYLOAD',
        failureClass: 'permanent',
        attempts: 0,
        channel: '',
        sourceMessageId: 'm-9',
      }),
    ]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.email.sent).toEqual([]);
    expect(w.ledger.rows.size).toBe(0);
  });

  test('when the payload is undecodable and no poison topic is configured, then it is still poisoned 204', async () => {
    const w = aDeliveryWorld();
    w.deadLetters.hasPoisonTopic = false;

    const result = await w.deliver(rawMessage(Buffer.from('nope'), {}));

    expect(result.outcome).toBe('poisoned');
    expect(OUTCOMES[result.outcome].status).toBe(204);
  });

  test('when publishing to the poison topic fails, then it is retry 503', async () => {
    const w = aDeliveryWorld();
    w.deadLetters.failure = new TransientError('DEAD_LETTER_UNAVAILABLE', 'publish failed');

    const result = await w.deliver(rawMessage(Buffer.from('nope'), {}));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DEAD_LETTER_UNAVAILABLE' });
    expect(OUTCOMES[result.outcome].status).toBe(503);
  });

  test('when the JSON payload carries an unknown field named "constructor", then it is ignored and the notification sent', async () => {
    const w = aDeliveryWorld();
    const json = { ...JSON.parse(aMessage(aNotification()).data.toString()), constructor: 'x' };

    const result = await w.deliver(rawMessage(Buffer.from(JSON.stringify(json)), {}));

    expect(result.outcome).toBe('sent');
  });
});

const invalid: [string, string, Partial<Notification>, string][] = [
  ['notification_id is missing', 'INVALID_PAYLOAD', { notificationId: '' }, 'EMAIL'],
  ['type is missing', 'INVALID_PAYLOAD', { type: '' }, 'EMAIL'],
  ['the channel is unspecified', 'UNKNOWN_CHANNEL', { channel: CHANNELS.CHANNEL_UNSPECIFIED }, 'CHANNEL_UNSPECIFIED'],
  ['the channel number is unknown', 'UNKNOWN_CHANNEL', { channel: 42 }, '42'],
  ['the email address is invalid', 'INVALID_RECIPIENT', { email: { to: 'alice', subject: 's', text: 't', html: '' } }, 'EMAIL'],
  ['the subject is missing', 'INVALID_PAYLOAD', { email: { to: 'alice@example.com', subject: '', text: 't', html: '' } }, 'EMAIL'],
  ['the channel is known but not configured', 'CHANNEL_NOT_CONFIGURED', { channel: CHANNELS.SMS, email: undefined, sms: { to: '+819012345678', body: 'hi' } }, 'SMS'],
];

describe('makeDeliver: invalid or unroutable notifications', () => {
  test.each(invalid)('when %s, then it is dead-lettered %s, 204, without a ledger row or a send', async (_, code, overrides, channel) => {
    const w = aDeliveryWorld();
    const msg = aMessage(aNotification(overrides), 'JSON', 'm-3');

    const result = await w.deliver(msg);

    expect(result).toMatchObject({ outcome: 'dead_lettered', code, channel });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.deadLetters.deadLettered).toEqual([
      expect.objectContaining({
        data: msg.data,
        attributes: msg.attributes,
        code,
        failureClass: 'permanent',
        attempts: 0,
        channel,
        sourceMessageId: 'm-3',
      }),
    ]);
    expect(w.ledger.rows.size).toBe(0);
    expect(w.ledger.lockCalls).toBe(0);
    expect(w.email.sent).toEqual([]);
  });

  test('when a valid notification is padded past the size limit, then it is not decoded: poisoned UNDECODABLE_PAYLOAD naming the size, 204, nothing sent', async () => {
    const w = aDeliveryWorld();
    const msg = aMessage(aNotification(), 'JSON', 'm-big');
    const padded = { ...msg, data: Buffer.concat([msg.data, Buffer.alloc(LIMITS.notificationBytes, ' ')]) };

    const result = await w.deliver(padded);

    expect(result).toMatchObject({ outcome: 'poisoned', code: 'UNDECODABLE_PAYLOAD', error: expect.stringContaining(`more than ${LIMITS.notificationBytes}: not decoded`) });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.deadLetters.poisoned[0]!.data).toBe(padded.data);
    expect(w.email.sent).toEqual([]);
  });

  test('when an invalid notification cannot be dead-lettered, then it is retry 503', async () => {
    const w = aDeliveryWorld();
    w.deadLetters.failure = new TransientError('DEAD_LETTER_UNAVAILABLE', 'publish failed');

    const result = await w.deliver(aMessage(aNotification({ type: '' })));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DEAD_LETTER_UNAVAILABLE' });
    expect(OUTCOMES[result.outcome].status).toBe(503);
    expect(w.ledger.rows.size).toBe(0);
  });

  test('when several fields are invalid, then the dead-letter error names every field but no address', async () => {
    const w = aDeliveryWorld();
    const email = { to: 'bob@@example.com', subject: '', text: 't', html: '' };

    await w.deliver(aMessage(aNotification({ type: '', email })));

    const [record] = w.deadLetters.deadLettered;
    expect(record?.error).toContain('type');
    expect(record?.error).toContain('email.to');
    expect(record?.error).toContain('email.subject');
    expect(record?.error).not.toContain('bob');
  });
});
