import type { Message } from '@google-cloud/pubsub';
import { decodeEventPlain } from '../../src/codec/event';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(notifierEnv(parts, { MAX_ATTEMPTS: '2' }));
});

afterEach(() => {
  parts.smtp.onData = () => ({ kind: 'accept' });
  parts.smtp.rcptReplies.clear();
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

type Plain = Record<string, unknown>;
const eventsOf = (m: Message[]): Plain[] => m.map((x) => ({ ...decodeEventPlain(x.data), attributes: x.attributes }));

/** The events of one notification, in the order they were published, once `count` have arrived. */
async function eventsFor(notificationId: string, count: number): Promise<Plain[]> {
  const mine = (m: Message) => (decodeEventPlain(m.data).notification_id as string) === notificationId;
  // Pub/Sub does not keep publish order; the event times do.
  const events = eventsOf(await parts.topics.events.waitFor(count, mine));
  return events.sort((a, b) => Number(BigInt(a.occurred_at_micros as string) - BigInt(b.occurred_at_micros as string)));
}
const kinds = (events: Plain[]) => events.map((e) => [e.event, e.code]);

describe('lifecycle events on the notification-events topic', () => {
  test('when an email is sent, then received, sending and sent are published with the IDs, type, source and times, and no address', async () => {
    const n = emailNotification({ source: 'orders' });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'ev-sent' }))).toBe(204);
    const events = await eventsFor(n.notificationId, 3);
    expect(kinds(events)).toEqual([['received', ''], ['sending', ''], ['sent', '']]);
    for (const e of events) {
      expect(e).toMatchObject({ notification_id: n.notificationId, channel: 'EMAIL', target: 'EMAIL', type: n.type, source: 'orders', source_message_id: 'ev-sent', account_id: n.accountId });
      expect(e.attributes).toEqual({ source: 'orders', event: e.event, channel: 'EMAIL', type: n.type });
      expect(BigInt(e.occurred_at_micros as string)).toBeGreaterThanOrEqual(n.createdAtMicros);
      expect(e.created_at_micros).toBe(String(n.createdAtMicros));
      expect(JSON.stringify(e)).not.toContain('alice@example.com');
    }
    expect(events[2]).toMatchObject({ attempt: 1, provider_message_id: expect.stringMatching(/.+/) });
    expect(new Set(events.map((e) => e.event_id)).size).toBe(3);
  });

  test('when the same push comes again, then it is received again (the same event, by ID) and a duplicate', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'ev-dup' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await push(notifier.url, envelope)).toBe(204);
    const events = await eventsFor(n.notificationId, 5);
    expect(kinds(events)).toEqual([['received', ''], ['sending', ''], ['sent', ''], ['received', ''], ['duplicate', '']]);
    expect(events[3]!.event_id).toBe(events[0]!.event_id);
  });

  test('when the recipient is invalid, then received and dead_lettered with its code, nothing else', async () => {
    const n = emailNotification({ email: { to: 'not-an-address', subject: 's', text: 't', html: '' } });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'ev-invalid' }))).toBe(204);
    expect(kinds(await eventsFor(n.notificationId, 2))).toEqual([['received', ''], ['dead_lettered', 'INVALID_RECIPIENT']]);
  });

  test('when the mailbox greylists until attempts run out, then each attempt is sending then retry, and the last is dead_lettered', async () => {
    const n = emailNotification({ email: { to: 'grey@example.com', subject: 's', text: 't', html: '' } });
    parts.smtp.rcptReplies.set('grey@example.com', 451);
    const envelope = pushEnvelope(n, { messageId: 'ev-retry' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await push(notifier.url, envelope)).toBe(204);
    const events = await eventsFor(n.notificationId, 6);
    expect(events.map((e) => [e.event, e.attempt])).toEqual([
      ['received', 0], ['sending', 1], ['retry', 1],
      ['received', 0], ['sending', 2], ['dead_lettered', 2],
    ]);
    expect(events[5]!.code).toBe('ATTEMPTS_EXHAUSTED');
    // A redelivery names the same push: its `received` is the same event, which readers drop.
    expect(events[3]!.event_id).toBe(events[0]!.event_id);
  });

  test('when the notification has expired, then received and expired', async () => {
    const n = emailNotification({ expiresAtMicros: BigInt(Date.now() - 60_000) * 1000n });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'ev-expired' }))).toBe(204);
    expect(kinds(await eventsFor(n.notificationId, 2))).toEqual([['received', ''], ['expired', '']]);
  });

  test('when the account opted out of the type, then received and suppressed with OPTED_OUT', async () => {
    const n = emailNotification({ accountId: 'acct-events-optout', type: 'marketing.sale' });
    await parts.db.pool.query("INSERT INTO account_settings (account_id) VALUES ('acct-events-optout')");
    await parts.db.pool.query("INSERT INTO account_preferences (account_id, scope, channel, enabled) VALUES ('acct-events-optout', 'marketing.*', '*', FALSE)");
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'ev-optout' }))).toBe(204);
    expect(kinds(await eventsFor(n.notificationId, 2))).toEqual([['received', ''], ['suppressed', 'OPTED_OUT']]);
  });
});

describe('when lifecycle events cannot be published', () => {
  let broken: InProcessNotifier;
  beforeAll(async () => {
    broken = await startInProcess(notifierEnv(parts, { EVENTS_TOPIC: 'no-such-events-topic', PUBLISH_TIMEOUT_MS: '1000' }));
  });
  afterAll(async () => broken?.stop());

  test('then the delivery is not affected, and the lost events are logged with their count', async () => {
    const n = emailNotification();
    expect(await push(broken.url, pushEnvelope(n, { messageId: 'ev-broken' }))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect((await parts.db.row(n.notificationId))?.status).toBe('sent');
    const line = await eventually('the lost-event log line', () => broken.logs.find((l) => l.message === 'lifecycle event failed'));
    expect(line).toMatchObject({ severity: 'ERROR', eventsFailed: 1, topic: 'no-such-events-topic', notificationId: n.notificationId });
  });
});
