import { makeSmsChannel, SmsChannelOptions } from '../../../../src/channels/sms/channel';
import { TWILIO_CODES, TWILIO_STATUSES, twilioErrorCode } from '../../../../src/channels/sms/outcomes';
import { CHANNELS, Notification } from '../../../../src/codec/notification';
import { OutcomeUnknownError, PermanentError, TransientError } from '../../../../src/delivery/failures';
import type { Channel } from '../../../../src/delivery/ports';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, twilioError, TwilioStandIn } from '../../../support/providers/twilio';
import { aNotification } from '../../fakes';

const PHONE = '+819012345678';
const smsNotification = (overrides: Partial<Notification> = {}) =>
  aNotification({ channel: CHANNELS.SMS, email: undefined, sms: { to: PHONE, body: 'Your code is 1234' }, ...overrides });

let twilio: TwilioStandIn;
const channels: Channel[] = [];
function smsChannel(overrides: Partial<SmsChannelOptions> = {}): Channel {
  const channel = makeSmsChannel({ baseUrl: twilio.url, accountSid: TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN, from: TWILIO_FROM, timeoutMs: 2000, ...overrides });
  channels.push(channel);
  return channel;
}
async function failure(channel: Channel, n = smsNotification()): Promise<Error> {
  const error = await channel.send(n).then(() => undefined, (err: Error) => err);
  if (!error) throw new Error('expected the send to fail');
  return error;
}

beforeAll(async () => {
  twilio = await startTwilio();
});
afterEach(() => {
  twilio.behave = () => ({ kind: 'accept' });
  twilio.problems.length = 0;
});
afterAll(async () => {
  await Promise.all(channels.map((c) => c.close()));
  await twilio?.close();
});

describe('makeSmsChannel: requests as Twilio documents them', () => {
  test('when a notification is sent, then one form-encoded Messages create is made and its sid is the provider message ID', async () => {
    const before = twilio.messages.length;
    const receipt = await smsChannel().send(smsNotification());
    expect(twilio.problems).toEqual([]);
    expect(twilio.messages).toHaveLength(before + 1);
    const msg = twilio.messages.at(-1)!;
    expect(msg.fields).toEqual({ To: PHONE, From: TWILIO_FROM, Body: 'Your code is 1234' });
    expect(receipt.providerMessageId).toBe(msg.sid);
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  test('when the sender is a messaging service SID, then it is sent as MessagingServiceSid instead of From', async () => {
    const service = `MG${'ab'.repeat(16)}`;
    await smsChannel({ from: service }).send(smsNotification());
    expect(twilio.problems).toEqual([]);
    expect(twilio.messages.at(-1)!.fields).toEqual({ To: PHONE, MessagingServiceSid: service, Body: 'Your code is 1234' });
  });

  test('when the body holds &, =, + and non-ASCII text, then Twilio receives it unchanged', async () => {
    const body = 'a=1&b=2 + 3 ✓ 配達済み';
    await smsChannel().send(smsNotification({ sms: { to: PHONE, body } }));
    expect(twilio.problems).toEqual([]);
    expect(twilio.messages.at(-1)!.fields.Body).toBe(body);
  });
});

describe('makeSmsChannel: Twilio error codes, entry by entry', () => {
  const statusOf: Record<string, number> = { '20003': 401, '20403': 403, '20404': 404, '20429': 429 };

  test.each(Object.entries(TWILIO_CODES))('when Twilio answers error code %s, then it is %o', async (code, verdict) => {
    const status = statusOf[code] ?? 400;
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(status, Number(code)) });
    const error = await failure(smsChannel());
    expect(error).toBeInstanceOf(verdict.kind === 'permanent' ? PermanentError : TransientError);
    expect(error).toMatchObject({ code: verdict.code, message: `twilio answered HTTP ${status} (${code})` });
  });

  test.each(Object.entries(TWILIO_STATUSES))('when Twilio answers HTTP %s without an error code, then it is %o', async (status, verdict) => {
    twilio.behave = () => ({ kind: 'answer', answer: { status: Number(status), body: '<html>error</html>' } });
    const error = await failure(smsChannel());
    expect(error).toMatchObject({ kind: verdict.kind, code: verdict.code, message: `twilio answered HTTP ${status}` });
  });

  test('when Twilio answers an unlisted code, then the HTTP status decides', async () => {
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(400, 21999) });
    expect(await failure(smsChannel())).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED' });
  });

  test('when Twilio answers 429 with Retry-After: 30, then it is transient RATE_LIMITED for 30 s', async () => {
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(429, 20429, { 'retry-after': '30' }) });
    const error = await failure(smsChannel());
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });

  test.each([500, 502, 503])('when Twilio answers %i, then it is transient PROVIDER_UNAVAILABLE', async (status) => {
    twilio.behave = () => ({ kind: 'answer', answer: { status, body: '' } });
    expect(await failure(smsChannel())).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
  });

  test('when the auth token is wrong, then Twilio answers 20003 and it is BAD_CREDENTIALS', async () => {
    expect(await failure(smsChannel({ authToken: 'wrong' }))).toMatchObject({ kind: 'permanent', code: 'BAD_CREDENTIALS' });
    expect(twilio.problems).toEqual(['authorization is not Basic AccountSid:AuthToken']);
  });

  test("when Twilio's error message echoes the number, then the error does not", async () => {
    twilio.behave = () => ({ kind: 'answer', answer: twilioError(400, 21211) });
    const error = await failure(smsChannel());
    expect(error.message).not.toContain(PHONE);
    expect(error.message).not.toContain('9012345678');
  });
});

describe('makeSmsChannel: no answer', () => {
  test('when Twilio accepts but answers after the timeout, then the outcome is unknown (Twilio does not deduplicate)', async () => {
    const before = twilio.messages.length;
    twilio.behave = () => ({ kind: 'accept', delayMs: 3000 });
    const error = await failure(smsChannel({ timeoutMs: 200 }));
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.message).toBe('twilio: timed out after the request was sent');
    expect(twilio.messages).toHaveLength(before + 1);
  });

  test('when nothing listens at the base URL, then it is transient PROVIDER_UNAVAILABLE (nothing was sent)', async () => {
    const error = await failure(smsChannel({ baseUrl: 'http://127.0.0.1:1' }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });
});

describe('makeSmsChannel: the Channel contract', () => {
  test('when built, then it is the SMS channel of provider twilio', () => {
    const channel = smsChannel();
    expect(channel.name).toBe('SMS');
    expect(channel.provider(smsNotification())).toBe('twilio');
  });

  test('when describing the recipient, then the number is masked', () => {
    expect(smsChannel().describeRecipient(smsNotification())).toBe('+81********78');
    expect(smsChannel().describeRecipient(smsNotification({ sms: undefined }))).toBe('***');
  });

  test('when the notification has no sms payload, then it fails permanently with INVALID_PAYLOAD without a request', async () => {
    const before = twilio.requests.length;
    const error = await failure(smsChannel(), smsNotification({ sms: undefined }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(twilio.requests).toHaveLength(before);
  });
});

describe('twilioErrorCode', () => {
  test.each([
    ['{"code": 21211, "message": "x", "status": 400}', '21211'],
    ['{"code": "20003"}', '20003'],
    ['{"message": "no code"}', undefined],
    ['{"code": "abc"}', undefined],
    ['<html>', undefined],
    ['', undefined],
  ])('when the body is %s, then the code is %s', (body, code) => {
    expect(twilioErrorCode(body)).toBe(code);
  });
});
