import { CHANNELS, Notification } from '../../src/codec/notification';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, twilioError, TwilioStandIn } from '../support/providers/twilio';
import { RealParts, startRealParts } from '../support/real-parts';

let parts: RealParts;
let twilio: TwilioStandIn;
const notifiers: InProcessNotifier[] = [];

beforeAll(async () => {
  [parts, twilio] = await Promise.all([startRealParts(), startTwilio()]);
});

afterEach(() => {
  twilio.behave = () => ({ kind: 'accept' });
});

afterAll(async () => {
  await Promise.all(notifiers.map((n) => n.stop()));
  await Promise.all([twilio?.close(), parts?.close()]);
});

async function notifierWith(overrides: Record<string, string>): Promise<InProcessNotifier> {
  const env = { TWILIO_BASE_URL: twilio.url, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, SMS_RATE_LIMIT: '0', ...overrides };
  const notifier = await startInProcess(notifierEnv(parts, env));
  notifiers.push(notifier);
  return notifier;
}

function sms(): Notification {
  const n = emailNotification({ channel: CHANNELS.SMS, email: undefined });
  return { ...n, sms: { to: '+819012345678', body: `Order ${n.notificationId}` } };
}

const logFor = (notifier: InProcessNotifier, n: Notification) => notifier.logs.find((l) => l.notificationId === n.notificationId);

describe('circuit breakers and rate limits in front of providers, on real parts', () => {
  test('when Twilio fails BREAKER_FAILURES times in a row, then SMS is nacked without calling it, and email still goes out', async () => {
    const notifier = await notifierWith({ BREAKER_FAILURES: '3', BREAKER_OPEN_MS: '600000' });
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(503, 20500) });
    for (let i = 0; i < 3; i++) expect(await push(notifier.url, pushEnvelope(sms()))).toBe(503);
    const opened = notifier.logs.find((l) => l.message === 'circuit breaker open');
    expect(opened).toMatchObject({ severity: 'WARNING', channel: 'SMS', provider: 'twilio', failures: 3, state: 'open' });

    const requestsBefore = twilio.requests.length;
    const held = sms();
    expect(await push(notifier.url, pushEnvelope(held))).toBe(503);
    expect(twilio.requests).toHaveLength(requestsBefore);
    expect(logFor(notifier, held)).toMatchObject({ message: 'delivery circuit_open', severity: 'INFO' });
    // Not an attempt: nothing was recorded, so the notification keeps its whole attempt budget.
    expect(await parts.db.row(held.notificationId, 'SMS')).toBeUndefined();

    const mail = emailNotification();
    expect(await push(notifier.url, pushEnvelope(mail))).toBe(204);
    expect(parts.smtp.mailsFor(mail.notificationId)).toHaveLength(1);
  });

  test('when the open period ends and Twilio is back, then one probe closes the breaker and held notifications are sent once', async () => {
    const notifier = await notifierWith({ BREAKER_FAILURES: '2', BREAKER_OPEN_MS: '300' });
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(503, 20500) });
    for (let i = 0; i < 2; i++) await push(notifier.url, pushEnvelope(sms()));
    const held = sms();
    const envelope = pushEnvelope(held);
    expect(await push(notifier.url, envelope)).toBe(503);

    twilio.behave = () => ({ kind: 'accept' });
    // Pub/Sub redelivers the nacked message; once the breaker lets a probe through, it is sent.
    await eventually('the held SMS to be sent after the open period', async () => (await push(notifier.url, envelope)) === 204 || undefined);
    expect(twilio.messages.filter((m) => m.fields.Body === held.sms!.body)).toHaveLength(1);
    expect(notifier.logs.map((l) => l.message)).toEqual(expect.arrayContaining(['circuit breaker half_open', 'circuit breaker closed']));
    expect(await parts.db.row(held.notificationId, 'SMS')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  test('when more SMS arrive at once than SMS_RATE_LIMIT allows, then the rest are nacked 429 without calling Twilio and sent later, each once', async () => {
    const notifier = await notifierWith({ SMS_RATE_LIMIT: '1' });
    const batch = Array.from({ length: 4 }, sms);
    const envelopes = batch.map((n) => pushEnvelope(n));
    const statuses = await Promise.all(envelopes.map((e) => push(notifier.url, e)));
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(notifier.logs.filter((l) => l.message === 'delivery rate_limited')).toHaveLength(3);
    const bodies = new Set(batch.map((n) => n.sms!.body));
    expect(twilio.requests.filter((r) => bodies.has(new URLSearchParams(r.body).get('Body') ?? ''))).toHaveLength(1);

    // Redeliveries, as Pub/Sub makes them after its backoff: each is sent once the bucket refills.
    await eventually('every throttled SMS to be sent', async () => {
      const again = await Promise.all(envelopes.map((e) => push(notifier.url, e)));
      return again.every((s) => s === 204) || undefined;
    }, 20000);
    for (const n of batch) expect(twilio.messages.filter((m) => m.fields.Body === n.sms!.body)).toHaveLength(1);
    for (const n of batch) expect(await parts.db.row(n.notificationId, 'SMS')).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
