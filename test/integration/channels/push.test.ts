import type { Message } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { emailNotification, push, pushEnvelope } from '../../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../../support/notifier';
import {
  checkGoogleAuthCanFetch,
  fcmError,
  FcmStandIn,
  MetadataStandIn,
  startFcmStandIn,
  startMetadataStandIn,
  useMetadataServer,
} from '../../support/providers/fcm';
import { RealParts, startRealParts } from '../../support/real-parts';

const PROJECT = 'notifier-push-e2e';
const ACCESS_TOKEN = 'ya29.metadata-issued-e2e-token';

let parts: RealParts;
let metadata: MetadataStandIn;
let restoreMetadata: () => void;
let fcm: FcmStandIn;
let notifier: InProcessNotifier;

/** PUSH_RATE_LIMIT=0: our own token bucket stays out of the way; the FCM calls go through GoogleAuth. */
const pushEnv = () => notifierEnv(parts, { FCM_PROJECT_ID: PROJECT, FCM_BASE_URL: fcm.url, PUSH_RATE_LIMIT: '0', SEND_TIMEOUT_MS: '1500' });

beforeAll(async () => {
  [parts, metadata] = await Promise.all([startRealParts(), startMetadataStandIn(ACCESS_TOKEN)]);
  restoreMetadata = useMetadataServer(metadata);
  await checkGoogleAuthCanFetch();
  fcm = await startFcmStandIn({ projectId: PROJECT, accessToken: ACCESS_TOKEN });
  notifier = await startInProcess(pushEnv());
});

afterEach(() => {
  expect(fcm.problems).toEqual([]);
  expect(metadata.problems).toEqual([]);
  fcm.answer = () => undefined;
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([fcm?.close(), metadata?.close(), parts?.close()]);
  restoreMetadata?.();
});

/** A PUSH notification to its own device, so its FCM requests can be counted. */
function pushNotification(): Notification & { push: NonNullable<Notification['push']> } {
  const push = { deviceToken: `device-${randomUUID()}`, title: 'Shipped', body: 'On its way', data: { orderId: 'o-1' } };
  return { ...emailNotification({ channel: CHANNELS.PUSH, email: undefined }), push };
}
const sendsTo = (n: ReturnType<typeof pushNotification>) => fcm.messages.filter((m) => m.token === n.push.deviceToken).length;
const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

describe('PUSH through FCM HTTP v1, end to end', () => {
  test('when one notification is pushed, then one documented FCM request is made with the metadata token and the ledger says sent', async () => {
    const n = pushNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    // The stand-in refuses (and records) any request not as documented, the bearer token included.
    expect(fcm.messages.filter((m) => m.token === n.push.deviceToken)).toEqual([
      { token: n.push.deviceToken, notification: { title: 'Shipped', body: 'On its way' }, data: { orderId: 'o-1' } },
    ]);
    expect(metadata.requests.length).toBeGreaterThanOrEqual(1);
    const row = await parts.db.row(n.notificationId, 'PUSH');
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    expect(row!.provider_message_id).toMatch(new RegExp(`^projects/${PROJECT}/messages/`));
    expect(JSON.stringify(notifier.logs)).not.toContain(n.push.deviceToken);
  });

  test('when the same envelope arrives 20 times concurrently, then exactly one FCM request is made', async () => {
    const n = pushNotification();
    const envelope = pushEnvelope(n, { messageId: `push-20-${n.notificationId}` });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => push(notifier.url, envelope)));
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    expect(sendsTo(n)).toBe(1);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(sendsTo(n)).toBe(1);
  });

  test('when the same notification_id arrives in a new message, then no second request is made', async () => {
    const n = pushNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: `first-${n.notificationId}` }))).toBe(204);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: `second-${n.notificationId}` }))).toBe(204);
    expect(sendsTo(n)).toBe(1);
  });

  test('when FCM answers UNREGISTERED, then it is acked, dead-lettered UNREGISTERED_DEVICE and the ledger says failed', async () => {
    fcm.answer = () => fcmError(404, 'UNREGISTERED');
    const n = pushNotification();
    const messageId = `unregistered-${n.notificationId}`;
    expect(await push(notifier.url, pushEnvelope(n, { messageId }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(messageId));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'UNREGISTERED_DEVICE', notifier_failure_class: 'permanent' });
    expect(record!.attributes.notifier_error).toBe('fcm answered HTTP 404 (UNREGISTERED)');
    expect(await parts.db.row(n.notificationId, 'PUSH')).toMatchObject({ status: 'failed', failure_code: 'UNREGISTERED_DEVICE' });
  });

  test('when FCM is UNAVAILABLE, then 503 and pending; once it recovers the redelivery sends once', async () => {
    fcm.answer = () => fcmError(503, 'UNAVAILABLE');
    const n = pushNotification();
    const envelope = pushEnvelope(n, { messageId: `unavailable-${n.notificationId}` });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await parts.db.row(n.notificationId, 'PUSH')).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_UNAVAILABLE' });
    fcm.answer = () => undefined;
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(sendsTo(n)).toBe(2); // the refused attempt and the one that was sent
    expect(await parts.db.row(n.notificationId, 'PUSH')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('when FCM answers only after SEND_TIMEOUT_MS, then the outcome is unknown: acked, dead-lettered, never resent', async () => {
    fcm.answer = () => ({ status: 200, body: { name: `projects/${PROJECT}/messages/late` }, delayMs: 10_000 });
    const n = pushNotification();
    const envelope = pushEnvelope(n, { messageId: `slow-${n.notificationId}` });
    expect(await push(notifier.url, envelope)).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(`slow-${n.notificationId}`));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'SEND_OUTCOME_UNKNOWN', notifier_failure_class: 'unknown_outcome' });
    expect(await parts.db.row(n.notificationId, 'PUSH')).toMatchObject({ status: 'unknown' });
    fcm.answer = () => undefined;
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(sendsTo(n)).toBe(1);
  });
});

describe('PUSH and FCM rate limiting', () => {
  test('when FCM answers 429 with Retry-After: 30, then 503 RATE_LIMITED and the next push is refused without calling FCM', async () => {
    // Its own notifier: the pause it learns from Retry-After must not hold up the other tests.
    const own = await startInProcess(pushEnv());
    try {
      fcm.answer = () => fcmError(429, 'QUOTA_EXCEEDED', { 'retry-after': '30' });
      const limited = pushNotification();
      expect(await push(own.url, pushEnvelope(limited, { messageId: `quota-${limited.notificationId}` }))).toBe(503);
      expect(own.logs.find((l) => l.messageId === `quota-${limited.notificationId}`)).toMatchObject({ message: 'delivery retry', code: 'RATE_LIMITED' });
      fcm.answer = () => undefined;
      const next = pushNotification();
      const before = fcm.requests.length;
      expect(await push(own.url, pushEnvelope(next, { messageId: `paused-${next.notificationId}` }))).toBe(429);
      expect(own.logs.find((l) => l.messageId === `paused-${next.notificationId}`)).toMatchObject({ message: 'delivery rate_limited' });
      expect(fcm.requests.length).toBe(before);
    } finally {
      await own.stop();
    }
  });
});
