import type { Message } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { emailNotification, push, pushEnvelope } from '../../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../../support/notifier';
import { apiError, SLACK_BOT_TOKEN, SlackStandIn, startSlackStandIn, webhookError } from '../../support/providers/slack';
import { RealParts, startRealParts } from '../../support/real-parts';

const CHANNEL_ID = 'C0DEPLOYS01';

let parts: RealParts;
let slack: SlackStandIn;
let notifier: InProcessNotifier;

/** SLACK_RATE_LIMIT=0: our own token bucket stays out of the way. */
const slackEnv = () =>
  notifierEnv(parts, {
    SLACK_BASE_URL: slack.apiUrl,
    SLACK_BOT_TOKEN,
    SLACK_WEBHOOK_URL: slack.webhookUrl,
    SLACK_RATE_LIMIT: '0',
    SEND_TIMEOUT_MS: '1500',
  });

beforeAll(async () => {
  [parts, slack] = await Promise.all([startRealParts(), startSlackStandIn()]);
  notifier = await startInProcess(slackEnv());
});

afterEach(() => {
  expect(slack.problems).toEqual([]);
  slack.answer = () => undefined;
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([slack?.close(), parts?.close()]);
});

/** A SLACK notification with unique text, so its Slack requests can be counted. */
function slackNotification(channel = CHANNEL_ID): Notification & { slack: NonNullable<Notification['slack']> } {
  return { ...emailNotification({ channel: CHANNELS.SLACK, email: undefined }), slack: { channel, text: `Deploy ${randomUUID()} finished` } };
}
type SlackNotification = ReturnType<typeof slackNotification>;
const posts = (n: SlackNotification) => slack.posted.filter((p) => p.text === n.slack.text).length;
const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

describe('SLACK through chat.postMessage, end to end', () => {
  test('when one notification is pushed, then one documented chat.postMessage is made and the ledger records channel/ts', async () => {
    const n = slackNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    expect(slack.posted.filter((p) => p.text === n.slack.text)).toEqual([{ channel: CHANNEL_ID, text: n.slack.text }]);
    const row = await parts.db.row(n.notificationId, 'SLACK');
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    expect(row!.provider_message_id).toMatch(new RegExp(`^${CHANNEL_ID}/1700000000\\.\\d{6}$`));
  });

  test('when the same envelope arrives 20 times concurrently, then exactly one message is posted', async () => {
    const n = slackNotification();
    const envelope = pushEnvelope(n, { messageId: `slack-20-${n.notificationId}` });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => push(notifier.url, envelope)));
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    expect(posts(n)).toBe(1);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(posts(n)).toBe(1);
  });

  test('when the same notification_id arrives in a new message, then nothing more is posted', async () => {
    const n = slackNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: `first-${n.notificationId}` }))).toBe(204);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: `second-${n.notificationId}` }))).toBe(204);
    expect(posts(n)).toBe(1);
  });

  test('when Slack answers channel_not_found, then it is acked, dead-lettered INVALID_RECIPIENT and the ledger says failed', async () => {
    slack.answer = () => apiError('channel_not_found');
    const n = slackNotification();
    const messageId = `not-found-${n.notificationId}`;
    expect(await push(notifier.url, pushEnvelope(n, { messageId }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(messageId));
    expect(record!.attributes).toMatchObject({
      notifier_failure_code: 'INVALID_RECIPIENT',
      notifier_failure_class: 'permanent',
      notifier_error: 'slack-api answered HTTP 200 (channel_not_found)',
    });
    expect(await parts.db.row(n.notificationId, 'SLACK')).toMatchObject({ status: 'failed', failure_code: 'INVALID_RECIPIENT' });
  });

  test('when Slack answers service_unavailable, then 503 and pending; once it recovers the redelivery posts once', async () => {
    slack.answer = () => apiError('service_unavailable');
    const n = slackNotification();
    const envelope = pushEnvelope(n, { messageId: `unavailable-${n.notificationId}` });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await parts.db.row(n.notificationId, 'SLACK')).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_UNAVAILABLE' });
    slack.answer = () => undefined;
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(posts(n)).toBe(2); // the refused attempt and the one that was posted
    expect(await parts.db.row(n.notificationId, 'SLACK')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('when Slack answers only after SEND_TIMEOUT_MS, then the outcome is unknown: acked, dead-lettered, never resent', async () => {
    slack.answer = () => ({ status: 200, body: { ok: true, channel: CHANNEL_ID, ts: '1.2' }, delayMs: 10_000 });
    const n = slackNotification();
    const envelope = pushEnvelope(n, { messageId: `slow-${n.notificationId}` });
    expect(await push(notifier.url, envelope)).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(`slow-${n.notificationId}`));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'SEND_OUTCOME_UNKNOWN', notifier_failure_class: 'unknown_outcome' });
    expect(await parts.db.row(n.notificationId, 'SLACK')).toMatchObject({ status: 'unknown' });
    slack.answer = () => undefined;
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(posts(n)).toBe(1);
  });
});

describe('SLACK through the incoming webhook, end to end', () => {
  test('when no channel is named, then the webhook gets the text once and the ledger says sent', async () => {
    const n = slackNotification('');
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    expect(slack.hooked.filter((h) => h.text === n.slack.text)).toEqual([{ text: n.slack.text }]);
    expect(await parts.db.row(n.notificationId, 'SLACK')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  test('when the webhook was removed (404 no_service), then it is dead-lettered BAD_CREDENTIALS without the URL', async () => {
    slack.answer = () => webhookError('no_service');
    const n = slackNotification('');
    const messageId = `no-service-${n.notificationId}`;
    expect(await push(notifier.url, pushEnvelope(n, { messageId }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(messageId));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'BAD_CREDENTIALS', notifier_error: 'slack-webhook answered HTTP 404 (no_service)' });
    expect(JSON.stringify(notifier.logs)).not.toContain('webhooksecret');
  });
});

describe('SLACK rate limiting', () => {
  test('when Slack answers 429 with Retry-After: 30, then 503 RATE_LIMITED and the next push is refused without calling Slack', async () => {
    // Its own notifier: the pause it learns from Retry-After must not hold up the other tests.
    const own = await startInProcess(slackEnv());
    try {
      slack.answer = () => apiError('ratelimited', 429, { 'retry-after': '30' });
      const limited = slackNotification();
      expect(await push(own.url, pushEnvelope(limited, { messageId: `limited-${limited.notificationId}` }))).toBe(503);
      expect(own.logs.find((l) => l.messageId === `limited-${limited.notificationId}`)).toMatchObject({ message: 'delivery retry', code: 'RATE_LIMITED' });
      slack.answer = () => undefined;
      const next = slackNotification();
      const before = slack.requests.length;
      expect(await push(own.url, pushEnvelope(next, { messageId: `paused-${next.notificationId}` }))).toBe(429);
      expect(own.logs.find((l) => l.messageId === `paused-${next.notificationId}`)).toMatchObject({ message: 'delivery rate_limited' });
      expect(slack.requests.length).toBe(before);
    } finally {
      await own.stop();
    }
  });
});
