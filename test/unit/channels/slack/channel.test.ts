import { makeSlackChannel, slackRecipient } from '../../../../src/channels/slack/channel';
import { SLACK_API_OUTCOMES, SLACK_WEBHOOK_OUTCOMES } from '../../../../src/channels/slack/outcomes';
import { CHANNELS, Notification } from '../../../../src/codec/notification';
import { OutcomeUnknownError } from '../../../../src/delivery/failures';
import type { Channel } from '../../../../src/delivery/ports';
import { apiError, SLACK_BOT_TOKEN, SlackStandIn, startSlackStandIn, WEBHOOK_ERROR_STATUS, webhookError } from '../../../support/providers/slack';
import { aNotification } from '../../fakes';

const CHANNEL_ID = 'C0123456789';

function slackNotification(channel = CHANNEL_ID, text = 'Deploy finished'): Notification {
  return aNotification({ channel: CHANNELS.SLACK, email: undefined, slack: { channel, text } });
}
const viaWebhook = () => slackNotification('');

let slack: SlackStandIn;
let channel: Channel;

beforeAll(async () => {
  slack = await startSlackStandIn();
  channel = makeSlackChannel({ baseUrl: slack.apiUrl, botToken: SLACK_BOT_TOKEN, webhookUrl: slack.webhookUrl, timeoutMs: 1000 });
});

afterEach(() => {
  expect(slack.problems).toEqual([]);
  slack.answer = () => undefined;
});

afterAll(async () => {
  await channel?.close();
  await slack?.close();
});

async function failure(n: Notification, ch = channel): Promise<Error> {
  const err = await ch.send(n).then(() => undefined, (e: Error) => e);
  if (!err) throw new Error('expected the send to fail');
  return err;
}

describe('makeSlackChannel: routing and success', () => {
  test('when a channel is named, then chat.postMessage is called and channel/ts is the provider ID', async () => {
    const receipt = await channel.send(slackNotification());
    expect(slack.posted.at(-1)).toEqual({ channel: CHANNEL_ID, text: 'Deploy finished' });
    expect(receipt.providerMessageId).toMatch(new RegExp(`^${CHANNEL_ID}/1700000000\\.\\d{6}$`));
  });

  test('when a channel name is given, then the provider ID carries the conversation ID Slack answers with', async () => {
    expect((await channel.send(slackNotification('#deploys'))).providerMessageId).toMatch(/^C0NAMED0001\//);
  });

  test('when no channel is named, then the incoming webhook gets { text } and there is no provider ID', async () => {
    const before = slack.posted.length;
    expect(await channel.send(viaWebhook())).toEqual({});
    expect(slack.hooked.at(-1)).toEqual({ text: 'Deploy finished' });
    expect(slack.posted.length).toBe(before);
  });

  test('when describing, then the API and the webhook are separate providers and only user IDs are masked', () => {
    expect(channel.name).toBe('SLACK');
    expect(channel.provider(slackNotification())).toBe('slack-api');
    expect(channel.provider(viaWebhook())).toBe('slack-webhook');
    expect(channel.describeRecipient(slackNotification())).toBe(CHANNEL_ID);
    expect(channel.describeRecipient(viaWebhook())).toBe('incoming-webhook');
    expect(slackRecipient('U0123456789')).toBe('U012***');
    expect(slackRecipient('#deploys')).toBe('#deploys');
  });

  test('when the slack payload is absent, then it fails permanently with INVALID_PAYLOAD', async () => {
    const n = aNotification({ channel: CHANNELS.SLACK, email: undefined });
    expect(await failure(n)).toMatchObject({ kind: 'permanent', code: 'INVALID_PAYLOAD' });
  });

  test('when a channel is named but no bot token is configured, then CHANNEL_NOT_CONFIGURED names SLACK_BOT_TOKEN', async () => {
    const ch = makeSlackChannel({ baseUrl: slack.apiUrl, webhookUrl: slack.webhookUrl, timeoutMs: 1000 });
    const err = await failure(slackNotification(), ch);
    expect(err).toMatchObject({ kind: 'permanent', code: 'CHANNEL_NOT_CONFIGURED', message: expect.stringContaining('SLACK_BOT_TOKEN') });
    await ch.close();
  });

  test('when no channel is named and no webhook is configured, then CHANNEL_NOT_CONFIGURED names SLACK_WEBHOOK_URL', async () => {
    const ch = makeSlackChannel({ baseUrl: slack.apiUrl, botToken: SLACK_BOT_TOKEN, timeoutMs: 1000 });
    const err = await failure(viaWebhook(), ch);
    expect(err).toMatchObject({ code: 'CHANNEL_NOT_CONFIGURED', message: expect.stringMatching(/slack\.channel.*SLACK_WEBHOOK_URL/) });
    await ch.close();
  });
});

describe('makeSlackChannel: chat.postMessage outcomes, entry by entry', () => {
  test.each(Object.entries(SLACK_API_OUTCOMES.codes!))('when chat.postMessage answers ok:false %s, then it is %o', async (code, verdict) => {
    slack.answer = () => apiError(code);
    expect(await failure(slackNotification())).toMatchObject({ ...verdict, message: expect.stringMatching(`^slack-api answered HTTP 200 \\(${code}\\)`) });
  });

  test.each(['fatal_error', 'internal_error'])('when chat.postMessage answers %s, then the outcome is unknown (it may have posted)', async (code) => {
    slack.answer = () => apiError(code);
    expect(await failure(slackNotification())).toBeInstanceOf(OutcomeUnknownError);
  });

  test('when chat.postMessage answers an unlisted error, then it is permanent PROVIDER_REJECTED', async () => {
    slack.answer = () => apiError('some_new_error');
    expect(await failure(slackNotification())).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED' });
  });

  test('when chat.postMessage answers 429 ratelimited with Retry-After: 30, then RATE_LIMITED with retryAfterMs', async () => {
    slack.answer = () => apiError('ratelimited', 429, { 'retry-after': '30' });
    expect(await failure(slackNotification())).toMatchObject({ kind: 'transient', code: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });

  test('when chat.postMessage answers 200 with a body that is not its JSON, then the outcome is unknown', async () => {
    slack.answer = () => ({ status: 200, body: '<html>captive portal</html>' });
    expect(await failure(slackNotification())).toBeInstanceOf(OutcomeUnknownError);
  });

  test('when the bot token is wrong, then BAD_CREDENTIALS and the token is not in the message', async () => {
    const ch = makeSlackChannel({ baseUrl: slack.apiUrl, botToken: 'xoxb-wrong-token', timeoutMs: 1000 });
    const err = await failure(slackNotification(), ch);
    expect(err).toMatchObject({ code: 'BAD_CREDENTIALS', message: 'slack-api answered HTTP 200 (invalid_auth)' });
    slack.problems.splice(0); // the stand-in noted the wrong token, as intended here
    await ch.close();
  });
});

describe('makeSlackChannel: incoming-webhook outcomes, entry by entry', () => {
  test.each(Object.entries(SLACK_WEBHOOK_OUTCOMES.codes!))('when the webhook answers %s, then it is %o', async (code, verdict) => {
    slack.answer = () => webhookError(code);
    const status = WEBHOOK_ERROR_STATUS[code];
    expect(await failure(viaWebhook())).toMatchObject({ ...verdict, message: `slack-webhook answered HTTP ${status} (${code})` });
  });

  test.each(Object.entries(SLACK_WEBHOOK_OUTCOMES.statuses))('when the webhook answers HTTP %s with an unlisted code, then it is %o', async (status, verdict) => {
    slack.answer = () => webhookError('something_else', Number(status));
    expect(await failure(viaWebhook())).toMatchObject(verdict);
  });

  test('when the webhook answers 429 with Retry-After: 30, then RATE_LIMITED with retryAfterMs', async () => {
    slack.answer = () => ({ status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' });
    expect(await failure(viaWebhook())).toMatchObject({ kind: 'transient', code: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });

  test('when the webhook fails, then the message holds no part of the webhook URL', async () => {
    slack.answer = () => webhookError('no_service');
    expect((await failure(viaWebhook())).message).not.toMatch(/services|T0000TEST|secret/);
  });
});

describe('makeSlackChannel: no answer', () => {
  test.each([
    ['chat.postMessage', () => slackNotification()],
    ['the incoming webhook', viaWebhook],
  ])('when %s answers only after the timeout, then the outcome is unknown (Slack does not deduplicate)', async (_, n) => {
    slack.answer = () => ({ status: 200, body: 'ok', delayMs: 5000 });
    expect(await failure(n())).toBeInstanceOf(OutcomeUnknownError);
  });

  test('when nothing listens, then it is transient PROVIDER_UNAVAILABLE', async () => {
    const gone = await startSlackStandIn();
    await gone.close();
    const ch = makeSlackChannel({ baseUrl: gone.apiUrl, botToken: SLACK_BOT_TOKEN, webhookUrl: gone.webhookUrl, timeoutMs: 1000 });
    expect(await failure(slackNotification(), ch)).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
    expect(await failure(viaWebhook(), ch)).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
    await ch.close();
  });
});
