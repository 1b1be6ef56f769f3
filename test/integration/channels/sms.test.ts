import type { Message } from '@google-cloud/pubsub';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { emailNotification, push, pushEnvelope } from '../../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../../support/notifier';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, twilioError, TwilioStandIn } from '../../support/providers/twilio';
import { RealParts, startRealParts } from '../../support/real-parts';

const PHONE = '+819012345678';

let parts: RealParts;
let twilio: TwilioStandIn;
let notifier: InProcessNotifier;

const smsEnv = () =>
  notifierEnv(parts, {
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM,
    SMS_RATE_LIMIT: '0',
    SEND_TIMEOUT_MS: '1000',
  });

beforeAll(async () => {
  [parts, twilio] = await Promise.all([startRealParts(), startTwilio()]);
  notifier = await startInProcess(smsEnv());
});

afterEach(() => {
  expect(twilio.problems).toEqual([]);
  twilio.behave = () => ({ kind: 'accept' });
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([twilio?.close(), parts?.close()]);
});

/** An SMS notification whose body names it, so the stand-in's messages can be told apart. */
function smsNotification(): Notification {
  const n = emailNotification({ channel: CHANNELS.SMS, email: undefined });
  return { ...n, sms: { to: PHONE, body: `Order ${n.notificationId} shipped` } };
}
const sentFor = (n: Notification) => twilio.messages.filter((m) => m.fields.Body === n.sms!.body);
const requestsFor = (n: Notification) => twilio.requests.filter((r) => new URLSearchParams(r.body).get('Body') === n.sms!.body);
const row = (n: Notification) => parts.db.row(n.notificationId, 'SMS');
const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

describe('SMS through Twilio, end to end on MariaDB and the emulator', () => {
  test('when one notification is pushed, then one documented Messages create is made and the ledger holds its sid', async () => {
    const n = smsNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    expect(requestsFor(n)).toHaveLength(1);
    const [sent] = sentFor(n);
    expect(sent!.fields).toEqual({ To: PHONE, From: TWILIO_FROM, Body: n.sms!.body });
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: sent!.sid });
    expect(JSON.stringify(notifier.logs)).not.toContain(PHONE);
  });

  test('when the same push message arrives 20 times concurrently, then Twilio is called once', async () => {
    const n = smsNotification();
    const envelope = pushEnvelope(n, { messageId: 'sms-dup-1' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => push(notifier.url, envelope)));
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    expect(requestsFor(n)).toHaveLength(1);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'sms-dup-2' }))).toBe(204);
    expect(requestsFor(n)).toHaveLength(1);
    expect(notifier.logs.find((l) => l.messageId === 'sms-dup-2')).toMatchObject({ message: 'delivery duplicate' });
  });

  test('when Twilio answers 21610 (recipient replied STOP), then it is acked, failed and dead-lettered INVALID_RECIPIENT', async () => {
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(400, 21610) });
    const n = smsNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'sms-stop' }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource('sms-stop'));
    expect(record!.attributes).toMatchObject({
      notifier_failure_code: 'INVALID_RECIPIENT',
      notifier_failure_class: 'permanent',
      notifier_channel: 'SMS',
      notifier_error: 'twilio answered HTTP 400 (21610)',
    });
    expect(await row(n)).toMatchObject({ status: 'failed', failure_code: 'INVALID_RECIPIENT' });
  });

  test('when Twilio answers 503, then it is nacked and pending; once Twilio recovers the redelivery sends once', async () => {
    twilio.behave = () => ({ kind: 'answer', answer: { status: 503, body: '' } });
    const n = smsNotification();
    const envelope = pushEnvelope(n, { messageId: 'sms-503' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await row(n)).toMatchObject({ status: 'pending', attempts: 1, failure_code: 'PROVIDER_UNAVAILABLE' });
    expect(sentFor(n)).toHaveLength(0);
    twilio.behave = () => ({ kind: 'accept' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(sentFor(n)).toHaveLength(1);
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 2, provider_message_id: sentFor(n)[0]!.sid });
  });

  test('when Twilio answers only after SEND_TIMEOUT_MS, then the outcome is unknown: dead-lettered and never resent', async () => {
    twilio.behave = () => ({ kind: 'accept', delayMs: 5000 });
    const n = smsNotification();
    const envelope = pushEnvelope(n, { messageId: 'sms-slow' });
    expect(await push(notifier.url, envelope)).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource('sms-slow'));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'SEND_OUTCOME_UNKNOWN', notifier_failure_class: 'unknown_outcome' });
    expect(await row(n)).toMatchObject({ status: 'unknown', failure_code: 'SEND_OUTCOME_UNKNOWN' });
    twilio.behave = () => ({ kind: 'accept' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(requestsFor(n)).toHaveLength(1);
  });

  test('when Twilio answers 429 with Retry-After: 30, then it is retried later and Twilio is not called meanwhile', async () => {
    // A notifier of its own: the pause Retry-After sets on the twilio gate would hold up the other tests.
    const paused = await startInProcess(smsEnv());
    try {
      twilio.behave = () => ({ kind: 'answer', answer: twilioError(429, 20429, { 'retry-after': '30' }) });
      const first = smsNotification();
      expect(await push(paused.url, pushEnvelope(first, { messageId: 'sms-429' }))).toBe(503);
      expect(paused.logs.find((l) => l.messageId === 'sms-429')).toMatchObject({ message: 'delivery retry', code: 'RATE_LIMITED' });
      expect(await row(first)).toMatchObject({ status: 'pending', failure_code: 'RATE_LIMITED' });
      twilio.behave = () => ({ kind: 'accept' });
      const second = smsNotification();
      const before = twilio.requests.length;
      expect(await push(paused.url, pushEnvelope(second, { messageId: 'sms-429-next' }))).toBe(429);
      expect(paused.logs.find((l) => l.messageId === 'sms-429-next')).toMatchObject({ message: 'delivery rate_limited' });
      expect(twilio.requests).toHaveLength(before);
    } finally {
      await paused.stop();
    }
  });
});
