import type { Message } from '@google-cloud/pubsub';
import { lineRetryKey } from '../../../src/channels/line/channel';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { emailNotification, push, pushEnvelope } from '../../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../../support/notifier';
import { LINE_ACCESS_TOKEN, LINE_USER_ID, lineError, LineStandIn, startLine } from '../../support/providers/line';
import { RealParts, startRealParts } from '../../support/real-parts';

let parts: RealParts;
let line: LineStandIn;
let notifier: InProcessNotifier;

const lineEnv = () =>
  notifierEnv(parts, {
    LINE_BASE_URL: line.url,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_ACCESS_TOKEN,
    LINE_RATE_LIMIT: '0',
    SEND_TIMEOUT_MS: '1000',
  });

beforeAll(async () => {
  [parts, line] = await Promise.all([startRealParts(), startLine()]);
  notifier = await startInProcess(lineEnv());
});

afterEach(() => {
  expect(line.problems).toEqual([]);
  line.behave = () => ({ kind: 'accept' });
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([line?.close(), parts?.close()]);
});

function lineNotification(): Notification {
  const n = emailNotification({ channel: CHANNELS.LINE, email: undefined });
  return { ...n, line: { to: LINE_USER_ID, text: `Order ${n.notificationId} shipped` } };
}
const keyOf = (n: Notification) => lineRetryKey(n.notificationId);
const acceptedFor = (n: Notification) => line.messages.filter((m) => m.retryKey === keyOf(n));
const requestsFor = (n: Notification) => line.requests.filter((r) => r.headers['x-line-retry-key'] === keyOf(n));
const row = (n: Notification) => parts.db.row(n.notificationId, 'LINE');
const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

describe('LINE push messages, end to end on MariaDB and the emulator', () => {
  test('when one notification is pushed, then one documented push is made and the ledger holds the sent message ID', async () => {
    const n = lineNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    expect(requestsFor(n)).toHaveLength(1);
    const [accepted] = acceptedFor(n);
    expect(accepted!.push).toEqual({ to: LINE_USER_ID, messages: [{ type: 'text', text: n.line!.text }] });
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: accepted!.messageId });
    expect(JSON.stringify(notifier.logs)).not.toContain(LINE_USER_ID);
  });

  test('when the same push message arrives 20 times concurrently, then LINE is called once', async () => {
    const n = lineNotification();
    const envelope = pushEnvelope(n, { messageId: 'line-dup-1' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => push(notifier.url, envelope)));
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    expect(requestsFor(n)).toHaveLength(1);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'line-dup-2' }))).toBe(204);
    expect(requestsFor(n)).toHaveLength(1);
    expect(notifier.logs.find((l) => l.messageId === 'line-dup-2')).toMatchObject({ message: 'delivery duplicate' });
  });

  test('when LINE answers 401, then it is acked, failed and dead-lettered BAD_CREDENTIALS', async () => {
    line.behave = () => ({ kind: 'answer', answer: lineError(401) });
    const n = lineNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'line-401' }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource('line-401'));
    expect(record!.attributes).toMatchObject({
      notifier_failure_code: 'BAD_CREDENTIALS',
      notifier_failure_class: 'permanent',
      notifier_channel: 'LINE',
      notifier_error: 'line answered HTTP 401',
    });
    expect(await row(n)).toMatchObject({ status: 'failed', failure_code: 'BAD_CREDENTIALS' });
    expect(acceptedFor(n)).toHaveLength(0);
  });

  test('when LINE answers 500, then it is nacked and pending; once LINE recovers the redelivery sends once', async () => {
    line.behave = () => ({ kind: 'answer', answer: lineError(500) });
    const n = lineNotification();
    const envelope = pushEnvelope(n, { messageId: 'line-500' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await row(n)).toMatchObject({ status: 'pending', attempts: 1, failure_code: 'PROVIDER_UNAVAILABLE' });
    line.behave = () => ({ kind: 'accept' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(acceptedFor(n)).toHaveLength(1);
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 2, provider_message_id: acceptedFor(n)[0]!.messageId });
  });

  test('when LINE accepts but answers after SEND_TIMEOUT_MS, then it is retried with the same retry key and the 409 ends it as sent', async () => {
    line.behave = () => ({ kind: 'accept', delayMs: 5000 });
    const n = lineNotification();
    const envelope = pushEnvelope(n, { messageId: 'line-slow' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await row(n)).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_TIMEOUT' });
    line.behave = () => ({ kind: 'accept' });
    expect(await push(notifier.url, envelope)).toBe(204);
    const requests = requestsFor(n);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.headers['x-line-retry-key']).toBe(requests[0]!.headers['x-line-retry-key']);
    expect(acceptedFor(n)).toHaveLength(1);
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 2, provider_message_id: acceptedFor(n)[0]!.requestId });
    expect(parts.topics.deadLetters.messages.filter(bySource('line-slow'))).toHaveLength(0);
  });

  test('when LINE answers 429 with Retry-After: 30, then it is retried later and LINE is not called meanwhile', async () => {
    // A notifier of its own: the pause Retry-After sets on the line gate would hold up the other tests.
    const paused = await startInProcess(lineEnv());
    try {
      line.behave = () => ({ kind: 'answer', answer: lineError(429, { 'retry-after': '30' }) });
      const first = lineNotification();
      expect(await push(paused.url, pushEnvelope(first, { messageId: 'line-429' }))).toBe(503);
      expect(paused.logs.find((l) => l.messageId === 'line-429')).toMatchObject({ message: 'delivery retry', code: 'RATE_LIMITED' });
      expect(await row(first)).toMatchObject({ status: 'pending', failure_code: 'RATE_LIMITED' });
      line.behave = () => ({ kind: 'accept' });
      const before = line.requests.length;
      expect(await push(paused.url, pushEnvelope(lineNotification(), { messageId: 'line-429-next' }))).toBe(429);
      expect(paused.logs.find((l) => l.messageId === 'line-429-next')).toMatchObject({ message: 'delivery rate_limited' });
      expect(line.requests).toHaveLength(before);
    } finally {
      await paused.stop();
    }
  });
});
