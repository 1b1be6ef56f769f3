import { LineChannelOptions, lineRetryKey, makeLineChannel } from '../../../../src/channels/line/channel';
import { LINE_STATUSES } from '../../../../src/channels/line/outcomes';
import { CHANNELS, Notification } from '../../../../src/codec/notification';
import { PermanentError, TransientError } from '../../../../src/delivery/failures';
import type { Channel } from '../../../../src/delivery/ports';
import { LINE_ACCESS_TOKEN, LINE_USER_ID, lineError, LineStandIn, startLine } from '../../../support/providers/line';
import { aNotification } from '../../fakes';

let counter = 0;
const lineNotification = (overrides: Partial<Notification> = {}) =>
  aNotification({ notificationId: `n-line-${++counter}`, channel: CHANNELS.LINE, email: undefined, line: { to: LINE_USER_ID, text: 'Your order shipped' }, ...overrides });

let line: LineStandIn;
const channels: Channel[] = [];
function lineChannel(overrides: Partial<LineChannelOptions> = {}): Channel {
  const channel = makeLineChannel({ baseUrl: line.url, channelAccessToken: LINE_ACCESS_TOKEN, timeoutMs: 2000, ...overrides });
  channels.push(channel);
  return channel;
}
async function failure(channel: Channel, n = lineNotification()): Promise<Error> {
  const error = await channel.send(n).then(() => undefined, (err: Error) => err);
  if (!error) throw new Error('expected the send to fail');
  return error;
}

beforeAll(async () => {
  line = await startLine();
});
afterEach(() => {
  line.behave = () => ({ kind: 'accept' });
  line.problems.length = 0;
});
afterAll(async () => {
  await Promise.all(channels.map((c) => c.close()));
  await line?.close();
});

describe('lineRetryKey', () => {
  test('when derived twice from one notification ID, then it is the same hexadecimal UUID', () => {
    expect(lineRetryKey('n-42')).toBe(lineRetryKey('n-42'));
    expect(lineRetryKey('n-42')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('when the notification IDs differ, then the keys differ', () => {
    expect(lineRetryKey('n-42')).not.toBe(lineRetryKey('n-43'));
  });
});

describe('makeLineChannel: requests as LINE documents them', () => {
  test('when a notification is sent, then one push with its retry key is made and the sent message ID is the provider message ID', async () => {
    const n = lineNotification();
    const receipt = await lineChannel().send(n);
    expect(line.problems).toEqual([]);
    const msg = line.messages.at(-1)!;
    expect(msg.push).toEqual({ to: LINE_USER_ID, messages: [{ type: 'text', text: 'Your order shipped' }] });
    expect(msg.retryKey).toBe(lineRetryKey(n.notificationId));
    expect(receipt.providerMessageId).toBe(msg.messageId);
  });

  test('when the answer has no sentMessages, then the x-line-request-id is the provider message ID', async () => {
    line.behave = () => ({ kind: 'answer', answer: { status: 200, headers: { 'x-line-request-id': 'req-1' }, body: {} } });
    expect(await lineChannel().send(lineNotification())).toEqual({ providerMessageId: 'req-1' });
  });

  test('when the same notification is sent again, then LINE answers 409 and it is sent, with the accepted request ID', async () => {
    const n = lineNotification();
    const before = line.messages.length;
    await lineChannel().send(n);
    const again = await lineChannel().send(n);
    expect(line.messages).toHaveLength(before + 1);
    expect(again.providerMessageId).toBe(line.messages.at(-1)!.requestId);
    expect(line.requests.at(-1)!.headers['x-line-retry-key']).toBe(lineRetryKey(n.notificationId));
  });
});

describe('makeLineChannel: LINE statuses, entry by entry', () => {
  test.each(Object.entries(LINE_STATUSES))('when LINE answers HTTP %s, then it is %o', async (status, verdict) => {
    line.behave = () => ({ kind: 'answer', answer: lineError(Number(status)) });
    const error = await failure(lineChannel());
    expect(error).toBeInstanceOf(verdict.kind === 'permanent' ? PermanentError : TransientError);
    expect(error).toMatchObject({ code: verdict.code, message: `line answered HTTP ${status}` });
  });

  test('when LINE answers 429 with Retry-After: 30, then it is transient RATE_LIMITED for 30 s', async () => {
    line.behave = () => ({ kind: 'answer', answer: lineError(429, { 'retry-after': '30' }) });
    const error = await failure(lineChannel());
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });

  test.each([502, 503, 504])('when LINE answers %i, then it is transient', async (status) => {
    line.behave = () => ({ kind: 'answer', answer: lineError(status) });
    expect(await failure(lineChannel())).toBeInstanceOf(TransientError);
  });

  test('when the channel access token is wrong, then LINE answers 401 and it is BAD_CREDENTIALS', async () => {
    expect(await failure(lineChannel({ channelAccessToken: 'wrong' }))).toMatchObject({ kind: 'permanent', code: 'BAD_CREDENTIALS' });
    expect(line.problems).toEqual(['authorization is not Bearer {channel access token}']);
  });

  test("when LINE's error message echoes the user ID, then the error does not", async () => {
    line.behave = () => ({ kind: 'answer', answer: lineError(400) });
    const error = await failure(lineChannel());
    expect(error.message).toBe('line answered HTTP 400');
    expect(error.message).not.toContain(LINE_USER_ID);
  });
});

describe('makeLineChannel: no answer', () => {
  test('when LINE accepts but answers after the timeout, then it is transient, and the retry is answered 409 and counts as sent', async () => {
    const n = lineNotification();
    line.behave = () => ({ kind: 'accept', delayMs: 3000 });
    const error = await failure(lineChannel({ timeoutMs: 200 }), n);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', message: 'line: timed out after the request was sent' });
    const accepted = line.messages.at(-1)!;
    expect(await lineChannel().send(n)).toEqual({ providerMessageId: accepted.requestId });
    expect(line.messages.filter((m) => m.retryKey === lineRetryKey(n.notificationId))).toHaveLength(1);
  });

  test('when nothing listens at the base URL, then it is transient PROVIDER_UNAVAILABLE', async () => {
    expect(await failure(lineChannel({ baseUrl: 'http://127.0.0.1:1' }))).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
  });
});

describe('makeLineChannel: the Channel contract', () => {
  test('when built, then it is the LINE channel of provider line', () => {
    const channel = lineChannel();
    expect(channel.name).toBe('LINE');
    expect(channel.provider(lineNotification())).toBe('line');
  });

  test('when describing the recipient, then the user ID is masked', () => {
    expect(lineChannel().describeRecipient(lineNotification())).toBe('U4af***');
    expect(lineChannel().describeRecipient(lineNotification({ line: undefined }))).toBe('***');
  });

  test('when the notification has no line payload, then it fails permanently with INVALID_PAYLOAD without a request', async () => {
    const before = line.requests.length;
    const error = await failure(lineChannel(), lineNotification({ line: undefined }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(line.requests).toHaveLength(before);
  });
});
