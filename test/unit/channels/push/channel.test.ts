import { makeFcmChannel } from '../../../../src/channels/push/channel';
import { FCM_OUTCOMES, FCM_STATUS_DECIDED_CODES } from '../../../../src/channels/push/outcomes';
import { CHANNELS, Notification } from '../../../../src/codec/notification';
import { OutcomeUnknownError, PermanentError, TransientError } from '../../../../src/delivery/failures';
import type { Channel } from '../../../../src/delivery/ports';
import {
  checkGoogleAuthCanFetch,
  FCM_ERROR_STATUS,
  fcmError,
  FcmStandIn,
  startFcmStandIn,
  startMetadataStandIn,
  useMetadataServer,
} from '../../../support/providers/fcm';
import { aNotification } from '../../fakes';

const PROJECT = 'notifier-fcm-test';
const TOKEN = 'ya29.unit-test-token';
const DEVICE = 'fcm-device-token-0123456789abcdef';

function pushNotification(push: Partial<NonNullable<Notification['push']>> = {}): Notification {
  const payload = { deviceToken: DEVICE, title: 'Shipped', body: 'Your order is on its way', data: { orderId: 'o-1' }, ...push };
  return aNotification({ channel: CHANNELS.PUSH, email: undefined, push: payload });
}

let fcm: FcmStandIn;
let channel: Channel;

beforeAll(async () => {
  fcm = await startFcmStandIn({ projectId: PROJECT, accessToken: TOKEN });
  channel = makeFcmChannel({ baseUrl: fcm.url, projectId: PROJECT, timeoutMs: 1000, accessToken: async () => TOKEN });
});

afterEach(() => {
  expect(fcm.problems).toEqual([]);
  fcm.answer = () => undefined;
});

afterAll(async () => {
  await channel?.close();
  await fcm?.close();
});

/** The error `send` rejects with. */
async function failure(n = pushNotification(), ch = channel): Promise<Error> {
  const err = await ch.send(n).then(() => undefined, (e: Error) => e);
  if (!err) throw new Error('expected the send to fail');
  return err;
}

describe('makeFcmChannel: requests and success', () => {
  test('when built, then it is the PUSH channel of provider fcm and masks the device token', () => {
    expect(channel.name).toBe('PUSH');
    expect(channel.provider(pushNotification())).toBe('fcm');
    expect(channel.describeRecipient(pushNotification())).toBe('fcm-***');
    expect(channel.describeRecipient(pushNotification({ deviceToken: '' }))).toBe('***');
  });

  test('when FCM accepts, then one documented send request was made and the message name is the provider ID', async () => {
    const before = fcm.requests.length;
    const receipt = await channel.send(pushNotification());
    expect(fcm.requests.length - before).toBe(1);
    expect(receipt.providerMessageId).toMatch(new RegExp(`^projects/${PROJECT}/messages/`));
    expect(fcm.messages.at(-1)).toEqual({
      token: DEVICE,
      notification: { title: 'Shipped', body: 'Your order is on its way' },
      data: { orderId: 'o-1' },
    });
  });

  test('when title and data are empty, then they are left out of the message', async () => {
    await channel.send(pushNotification({ title: '', data: {} }));
    expect(fcm.messages.at(-1)).toEqual({ token: DEVICE, notification: { body: 'Your order is on its way' } });
  });

  test('when only data is given, then the message has no notification part', async () => {
    await channel.send(pushNotification({ title: '', body: '', data: { k: 'v' } }));
    expect(fcm.messages.at(-1)).toEqual({ token: DEVICE, data: { k: 'v' } });
  });

  test('when the push payload is absent, then it fails permanently with INVALID_PAYLOAD and nothing is sent', async () => {
    const before = fcm.requests.length;
    expect(await failure(aNotification({ channel: CHANNELS.PUSH, email: undefined }))).toMatchObject({ kind: 'permanent', code: 'INVALID_PAYLOAD' });
    expect(fcm.requests.length).toBe(before);
  });
});

describe('makeFcmChannel: the outcome table, entry by entry', () => {
  test.each(Object.entries(FCM_OUTCOMES.codes!))('when FCM answers the error code %s, then it is %o', async (code, verdict) => {
    fcm.answer = () => fcmError(FCM_ERROR_STATUS[code]!, code);
    const err = await failure();
    expect(err).toMatchObject({ kind: verdict.kind, code: verdict.code, message: `fcm answered HTTP ${FCM_ERROR_STATUS[code]} (${code})` });
  });

  test.each(Object.entries(FCM_OUTCOMES.statuses))('when FCM answers HTTP %s without an FcmError, then it is %o', async (status, verdict) => {
    fcm.answer = () => fcmError(Number(status));
    expect(await failure()).toMatchObject({ kind: verdict.kind, code: verdict.code, message: `fcm answered HTTP ${status}` });
  });

  test.each(FCM_STATUS_DECIDED_CODES)('when FCM answers %s, then the HTTP status decides', async (code) => {
    fcm.answer = () => fcmError(503, code);
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
    fcm.answer = () => fcmError(400, code);
    expect(await failure()).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED' });
  });

  test('when FCM says UNREGISTERED, then the error names neither the device token nor FCM\'s own text', async () => {
    fcm.answer = () => fcmError(404, 'UNREGISTERED');
    const err = await failure();
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).not.toMatch(/device-token|fcm-device|not found/i);
  });

  test('when QUOTA_EXCEEDED comes with Retry-After, then it is RATE_LIMITED with retryAfterMs', async () => {
    fcm.answer = () => fcmError(429, 'QUOTA_EXCEEDED', { 'retry-after': '30' });
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });

  test('when a load balancer answers 502 with an HTML page, then it is transient PROVIDER_UNAVAILABLE', async () => {
    fcm.answer = () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' });
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE', message: 'fcm answered HTTP 502' });
  });
});

describe('makeFcmChannel: no answer and no token', () => {
  test('when FCM answers only after the timeout, then the outcome is unknown (FCM does not deduplicate)', async () => {
    fcm.answer = () => ({ status: 200, body: { name: 'late' }, delayMs: 5000 });
    expect(await failure()).toBeInstanceOf(OutcomeUnknownError);
  });

  test('when nothing listens at FCM, then it is transient: no request reached it', async () => {
    const closed = await startFcmStandIn({ projectId: PROJECT, accessToken: TOKEN });
    await closed.close();
    const ch = makeFcmChannel({ baseUrl: closed.url, projectId: PROJECT, timeoutMs: 1000, accessToken: async () => TOKEN });
    expect(await failure(pushNotification(), ch)).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
    await ch.close();
  });

  test.each([
    ['rejects with a message holding secrets', () => Promise.reject(new Error('invalid_grant: private_key -----BEGIN'))],
    ['resolves no token', () => Promise.resolve(null)],
    ['never answers', () => new Promise<string>(() => undefined)],
  ])('when the access token source %s, then it is transient PROVIDER_UNAVAILABLE and nothing is sent', async (_, source) => {
    const ch = makeFcmChannel({ baseUrl: fcm.url, projectId: PROJECT, timeoutMs: 300, accessToken: source });
    const before = fcm.requests.length;
    const err = await failure(pushNotification(), ch);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('access token could not be obtained') });
    expect(err.message).not.toMatch(/private_key|invalid_grant/);
    expect(fcm.requests.length).toBe(before);
    await ch.close();
  });
});

describe('makeFcmChannel: application default credentials from the metadata server', () => {
  test('when no token source is given, then the metadata server\'s token is used and a metadata failure is transient', async () => {
    const metadata = await startMetadataStandIn(TOKEN);
    const restore = useMetadataServer(metadata);
    const ch = makeFcmChannel({ baseUrl: fcm.url, projectId: PROJECT, timeoutMs: 1000 });
    const failing = makeFcmChannel({ baseUrl: fcm.url, projectId: PROJECT, timeoutMs: 1000 });
    try {
      await checkGoogleAuthCanFetch();
      const before = metadata.requests.length;
      expect((await ch.send(pushNotification())).providerMessageId).toBeDefined();
      expect(metadata.requests.length - before).toBe(1);
      metadata.failWith = { status: 500, headers: { 'metadata-flavor': 'Google' }, body: 'token service down: secret-detail' };
      const err = await failure(pushNotification(), failing);
      expect(err).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
      expect(err.message).not.toContain('secret-detail');
      expect(metadata.problems).toEqual([]);
    } finally {
      restore();
      await Promise.all([ch.close(), failing.close(), metadata.close()]);
    }
  });
});
