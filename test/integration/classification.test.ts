import type { Message } from '@google-cloud/pubsub';
import { CHANNELS } from '../../src/codec/notification';
import { encodeNotification } from '../../src/codec/codec';
import { lockName } from '../../src/mysql/ledger';
import { emailNotification, envelopeFor, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';
import { DATA_TRUNCATED, DROPPED_ATTRIBUTES, MAX_MESSAGE_BYTES, messageBytes } from '../../src/codec/attributes';

let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(notifierEnv(parts, { MAX_ATTEMPTS: '3' }));
});

afterEach(() => {
  parts.smtp.onData = () => ({ kind: 'accept' });
  parts.smtp.rcptReply = undefined;
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

async function deadLetterFor(messageId: string): Promise<Message> {
  const [record] = await parts.topics.deadLetters.waitFor(1, bySource(messageId));
  return record!;
}

describe('every outcome of the classification table, end to end', () => {
  test('when the payload is invalid, then it is acked and dead-lettered with its bytes, attributes and reason', async () => {
    const n = emailNotification({ type: '' });
    const envelope = pushEnvelope(n, { messageId: 'invalid-1', attributes: { origin: 'orders-api' } });
    expect(await push(notifier.url, envelope)).toBe(204);
    const record = await deadLetterFor('invalid-1');
    expect(record.data.toString('base64')).toBe((envelope.message as { data: string }).data);
    expect(record.attributes).toMatchObject({
      origin: 'orders-api',
      notifier_failure_code: 'INVALID_PAYLOAD',
      notifier_failure_class: 'permanent',
      notifier_attempts: '0',
      notifier_channel: 'EMAIL',
      notifier_source_message_id: 'invalid-1',
      notifier_error: 'type is required',
    });
    // Pub/Sub reserves goog* attributes: they are not republished.
    expect(record.attributes.googclient_schemaencoding).toBeUndefined();
    expect(await parts.db.row(n.notificationId)).toBeUndefined();
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
  });

  test('when the email body is over 1 MiB (a 2 MiB one), then it is acked and dead-lettered INVALID_PAYLOAD on its first delivery, nothing sent', async () => {
    const n = emailNotification({ email: { to: 'alice@example.com', subject: 's', text: 'x'.repeat(2 * 1024 * 1024), html: '' } });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'huge-body' }))).toBe(204);
    const record = await deadLetterFor('huge-body');
    expect(record.attributes).toMatchObject({ notifier_failure_code: 'INVALID_PAYLOAD', notifier_error: 'email.text is larger than 1048576 bytes' });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
  });

  test('when the recipient address is invalid, then it is dead-lettered as INVALID_RECIPIENT without an SMTP call', async () => {
    const n = emailNotification({ email: { to: 'not-an-address', subject: 's', text: 't', html: '' } });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'recipient-1' }))).toBe(204);
    const record = await deadLetterFor('recipient-1');
    expect(record.attributes.notifier_failure_code).toBe('INVALID_RECIPIENT');
    expect(record.attributes.notifier_error).not.toContain('not-an-address');
    expect(parts.smtp.mails.some((m) => m.notificationId === n.notificationId)).toBe(false);
  });

  test('when the channel number is unknown, then it is dead-lettered as UNKNOWN_CHANNEL', async () => {
    const payload = Buffer.from(JSON.stringify({ notificationId: 'unknown-ch', type: 't', channel: 42 }));
    expect(await push(notifier.url, envelopeFor(payload, { messageId: 'channel-1' }))).toBe(204);
    expect((await deadLetterFor('channel-1')).attributes.notifier_failure_code).toBe('UNKNOWN_CHANNEL');
  });

  test('when the channel has no adapter configured, then it is dead-lettered as CHANNEL_NOT_CONFIGURED', async () => {
    const n = emailNotification({ channel: CHANNELS.SMS, email: undefined, sms: { to: '+819012345678', body: 'Hi' } });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'sms-1' }))).toBe(204);
    const record = await deadLetterFor('sms-1');
    expect(record.attributes).toMatchObject({ notifier_failure_code: 'CHANNEL_NOT_CONFIGURED', notifier_channel: 'SMS' });
  });

  test('when a valid notification is padded to 10 MB, then it is acked and poisoned undecoded, with its bytes whole, within Pub/Sub\'s limit', async () => {
    const n = emailNotification();
    const json = encodeNotification(n, 'JSON');
    const attributes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`attr${i}`, 'v'.repeat(200)]));
    const data = Buffer.concat([json, Buffer.alloc(MAX_MESSAGE_BYTES - json.length - messageBytes(0, attributes), ' ')]);
    expect(await push(notifier.url, envelopeFor(data, { messageId: 'padded-10mb', attributes }))).toBe(204);
    const [record] = await parts.topics.poison.waitFor(1, bySource('padded-10mb'));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'UNDECODABLE_PAYLOAD', notifier_error: expect.stringContaining('not decoded') });
    expect(record!.data.equals(data)).toBe(true);
    expect(Number(record!.attributes[DROPPED_ATTRIBUTES])).toBeGreaterThan(0);
    expect(messageBytes(record!.data.length, record!.attributes)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(await parts.db.row(n.notificationId)).toBeUndefined();
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
  });

  test('when undecodable bytes fill 10 MB, then they are acked and poisoned with the reason, the bytes cut to fit and their length recorded', async () => {
    const garbage = Buffer.alloc(MAX_MESSAGE_BYTES, 0xff);
    expect(await push(notifier.url, envelopeFor(garbage, { messageId: 'poison-10mb' }))).toBe(204);
    const [record] = await parts.topics.poison.waitFor(1, bySource('poison-10mb'));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'UNDECODABLE_PAYLOAD', [DATA_TRUNCATED]: String(MAX_MESSAGE_BYTES) });
    expect(garbage.subarray(0, record!.data.length).equals(record!.data)).toBe(true);
    expect(messageBytes(record!.data.length, record!.attributes)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  test('when the payload cannot be decoded, then it is acked and its raw bytes go to the poison topic', async () => {
    const garbage = Buffer.from('{"notificationId": ');
    expect(await push(notifier.url, envelopeFor(garbage, { messageId: 'poison-1' }))).toBe(204);
    const [record] = await parts.topics.poison.waitFor(1, bySource('poison-1'));
    expect(record!.data.equals(garbage)).toBe(true);
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'UNDECODABLE_PAYLOAD', notifier_failure_class: 'permanent' });
  });

  test('when a JSON field has the wrong type, then it is treated as undecodable (it cannot enter the schema topic)', async () => {
    const payload = Buffer.from(JSON.stringify({ notificationId: 12, type: 't', channel: 'EMAIL' }));
    expect(await push(notifier.url, envelopeFor(payload, { messageId: 'poison-2' }))).toBe(204);
    const [record] = await parts.topics.poison.waitFor(1, bySource('poison-2'));
    expect(record!.attributes.notifier_error).toBe('notification_id: expected a string');
  });

  test('when the SMTP server rejects the recipient (550), then it is a permanent failure: acked, failed, dead-lettered', async () => {
    parts.smtp.rcptReply = 550;
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'smtp-550' }))).toBe(204);
    const record = await deadLetterFor('smtp-550');
    expect(record.attributes).toMatchObject({ notifier_failure_code: 'INVALID_RECIPIENT', notifier_attempts: '1' });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed', failure_code: 'INVALID_RECIPIENT' });
    // A redelivery is a duplicate of a terminal row: nothing more happens.
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'smtp-550-again' }))).toBe(204);
    expect(parts.topics.deadLetters.messages.filter(bySource('smtp-550-again'))).toHaveLength(0);
  });

  test('when the SMTP server refuses the message (554), then it is dead-lettered as PROVIDER_REJECTED', async () => {
    parts.smtp.onData = () => ({ kind: 'reply', code: 554, message: 'policy' });
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'smtp-554' }))).toBe(204);
    expect((await deadLetterFor('smtp-554')).attributes.notifier_failure_code).toBe('PROVIDER_REJECTED');
  });

  test('when SMTP defers the message (451 after DATA), then it is nacked until MAX_ATTEMPTS, then dead-lettered ATTEMPTS_EXHAUSTED', async () => {
    parts.smtp.onData = () => ({ kind: 'reply', code: 451, message: 'try later' });
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'smtp-451' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', attempts: 1, failure_code: 'RECIPIENT_DEFERRED' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await push(notifier.url, envelope)).toBe(204);
    const record = await deadLetterFor('smtp-451');
    expect(record.attributes).toMatchObject({
      notifier_failure_code: 'ATTEMPTS_EXHAUSTED',
      notifier_failure_class: 'transient',
      notifier_attempts: '3',
    });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  test('when the notification has expired, then it is acked and recorded, not sent and not dead-lettered', async () => {
    const n = emailNotification({ expiresAtMicros: BigInt(Date.now() - 1000) * 1000n });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'expired-1' }))).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'expired' });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
    expect(notifier.logs.find((l) => l.messageId === 'expired-1')).toMatchObject({ message: 'delivery expired' });
  });

  test('when another process holds the lock, then the delivery is nacked with 409, nothing sent, no error logged', async () => {
    const n = emailNotification();
    const holder = await parts.db.pool.getConnection();
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [lockName({ notificationId: n.notificationId, channel: 'EMAIL' })]);
      expect(await push(notifier.url, pushEnvelope(n, { messageId: 'locked-1' }))).toBe(409);
      expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
      expect(notifier.logs.find((l) => l.messageId === 'locked-1')).toMatchObject({ severity: 'INFO', message: 'delivery lock_busy' });
    } finally {
      holder.destroy();
    }
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'locked-2' }))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the body is not a push envelope, then 400', async () => {
    expect(await push(notifier.url, { hello: 'world' })).toBe(400);
    const res = await fetch(`${notifier.url}/pubsub/push`, { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  test('when the dead-letter topic cannot be published to, then the message is nacked and nothing is marked failed', async () => {
    const broken = await startInProcess(notifierEnv(parts, { DEAD_LETTER_TOPIC: 'no-such-topic' }));
    try {
      parts.smtp.rcptReply = 550;
      const n = emailNotification();
      expect(await push(broken.url, pushEnvelope(n, { messageId: 'dl-down' }))).toBe(503);
      expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', failure_code: 'INVALID_RECIPIENT' });
      // Once the dead-letter topic works again the redelivery records it.
      expect(await push(notifier.url, pushEnvelope(n, { messageId: 'dl-down' }))).toBe(204);
      expect((await deadLetterFor('dl-down')).attributes.notifier_failure_code).toBe('INVALID_RECIPIENT');
    } finally {
      await broken.stop();
    }
  });

  test('when probed, then /healthz and /readyz answer 200', async () => {
    expect((await fetch(`${notifier.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${notifier.url}/readyz`)).status).toBe(200);
  });
});
