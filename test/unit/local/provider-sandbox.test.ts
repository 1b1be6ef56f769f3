import { createServer } from 'node:net';
import { makeFcmChannel } from '../../../src/channels/push/channel';
import { lineRetryKey, makeLineChannel } from '../../../src/channels/line/channel';
import { makeSlackChannel } from '../../../src/channels/slack/channel';
import { makeSmsChannel } from '../../../src/channels/sms/channel';
import { makeWebhookChannel } from '../../../src/channels/webhook/channel';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { LOCAL_PROVIDER_CREDENTIALS as LOCAL } from '../../../src/config';
import { PermanentError } from '../../../src/delivery/failures';
import type { Channel } from '../../../src/delivery/ports';
import { ProviderSandbox, SandboxMessage, startProviderSandbox } from '../../../src/local/provider-sandbox';
import { checkGoogleAuthCanFetch } from '../../support/providers/fcm';
import { aNotification } from '../fakes';

const TIMEOUT_MS = 3000;
const LINE_USER = `U${'4af4980629'.padEnd(32, '0')}`;

let sandbox: ProviderSandbox;
let lines: string[];
const channels: Channel[] = [];
/** Keeps the adapter to close it after the test. */
const adapter = (ch: Channel) => (channels.push(ch), ch);

beforeEach(async () => {
  lines = [];
  sandbox = await startProviderSandbox({ port: 0, say: (line) => lines.push(line) });
});
afterEach(async () => {
  await Promise.all(channels.splice(0).map((ch) => ch.close()));
  await sandbox.close();
});

async function messages(query = ''): Promise<SandboxMessage[]> {
  const res = await fetch(`${sandbox.url}/messages${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SandboxMessage[];
}

const n = (overrides: Partial<Notification>): Notification => aNotification({ email: undefined, ...overrides });
const sms = (to = '+819012345678') => n({ channel: CHANNELS.SMS, sms: { to, body: 'Your code is 1234' } });
const smsChannel = (authToken: string = LOCAL.twilioAuthToken) =>
  adapter(makeSmsChannel({ baseUrl: sandbox.url, accountSid: LOCAL.twilioAccountSid, authToken, from: LOCAL.twilioFrom, timeoutMs: TIMEOUT_MS }));
const lineChannel = (token: string = LOCAL.lineChannelAccessToken) =>
  adapter(makeLineChannel({ baseUrl: sandbox.url, channelAccessToken: token, timeoutMs: TIMEOUT_MS }));
const slackChannel = (overrides: { botToken?: string; webhookUrl?: string } = {}) =>
  adapter(makeSlackChannel({ baseUrl: `${sandbox.url}/api`, botToken: LOCAL.slackBotToken, webhookUrl: `${sandbox.url}${LOCAL.slackWebhookPath}`, timeoutMs: TIMEOUT_MS, ...overrides }));
const webhookChannel = (signingSecret: string = LOCAL.webhookSigningSecret) =>
  adapter(makeWebhookChannel({ signingSecret, allowedHosts: [], allowPrivateNetworks: true, httpsOnly: false, timeoutMs: TIMEOUT_MS }));
const push = n({ channel: CHANNELS.PUSH, push: { deviceToken: 'device-token-1', title: 'Shipped', body: 'On its way', data: { orderId: 'o-1' } } });

async function permanentError(send: Promise<unknown>): Promise<PermanentError> {
  const err = await send.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PermanentError);
  return err as PermanentError;
}

describe('provider sandbox: the real channel adapters are accepted and their messages kept', () => {
  test('when the SMS channel sends, then Twilio answers 201 with an SM sid, and the message is listed and printed', async () => {
    const receipt = await smsChannel().send(sms());
    expect(receipt.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(await messages()).toEqual([
      { channel: 'SMS', recipient: '+819012345678', text: 'Your code is 1234', providerMessageId: receipt.providerMessageId, receivedAt: expect.any(String) },
    ]);
    expect(lines).toEqual(['SMS to +819012345678: Your code is 1234']);
  });

  test('when the PUSH channel sends with a given access token, then FCM answers with the message name', async () => {
    const ch = adapter(makeFcmChannel({ baseUrl: sandbox.url, projectId: LOCAL.fcmProjectId, accessToken: async () => LOCAL.fcmAccessToken, timeoutMs: TIMEOUT_MS }));
    const receipt = await ch.send(push);
    expect(receipt.providerMessageId).toMatch(new RegExp(`^projects/${LOCAL.fcmProjectId}/messages/`));
    expect(await messages()).toEqual([
      expect.objectContaining({ channel: 'PUSH', recipient: 'device-token-1', title: 'Shipped', text: 'On its way', data: { orderId: 'o-1' } }),
    ]);
    expect(lines).toEqual(['PUSH to device-token-1: Shipped — On its way']);
  });

  test('when the PUSH channel uses application default credentials, then the token comes from the sandbox\'s metadata server', async () => {
    const saved = { host: process.env.GCE_METADATA_HOST, detection: process.env.METADATA_SERVER_DETECTION };
    process.env.GCE_METADATA_HOST = sandbox.metadataHost;
    process.env.METADATA_SERVER_DETECTION = 'assume-present';
    try {
      await checkGoogleAuthCanFetch();
      const ch = adapter(makeFcmChannel({ baseUrl: sandbox.url, projectId: LOCAL.fcmProjectId, timeoutMs: TIMEOUT_MS }));
      expect((await ch.send(push)).providerMessageId).toMatch(/^projects\//);
      expect((await messages()).map((m) => m.channel)).toEqual(['PUSH']);
      expect(lines.filter((l) => l.includes('refused'))).toEqual([]);
    } finally {
      for (const [name, value] of [['GCE_METADATA_HOST', saved.host], ['METADATA_SERVER_DETECTION', saved.detection]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  test('when the LINE channel sends, then the push is accepted; a retry with the same key gets 409 and counts as sent, kept once', async () => {
    const ch = lineChannel();
    const notification = n({ channel: CHANNELS.LINE, line: { to: LINE_USER, text: 'Hello from LINE' } });
    const first = await ch.send(notification);
    expect(first.providerMessageId).toMatch(/^\d+$/);
    const again = await ch.send(notification);
    expect(again.providerMessageId).toMatch(/^[0-9a-f]{32}$/);

    const raw = await fetch(`${sandbox.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LOCAL.lineChannelAccessToken}`, 'content-type': 'application/json', 'x-line-retry-key': lineRetryKey(notification.notificationId) },
      body: JSON.stringify({ to: LINE_USER, messages: [{ type: 'text', text: 'Hello from LINE' }] }),
    });
    expect(raw.status).toBe(409);
    expect(raw.headers.get('x-line-accepted-request-id')).toBe(again.providerMessageId);
    expect(await messages()).toEqual([expect.objectContaining({ channel: 'LINE', recipient: LINE_USER, text: 'Hello from LINE', providerMessageId: first.providerMessageId })]);
  });

  test('when the SLACK channel posts to a channel and through the incoming webhook, then both are accepted', async () => {
    const ch = slackChannel();
    const posted = await ch.send(n({ channel: CHANNELS.SLACK, slack: { channel: '#general', text: 'Deployed' } }));
    expect(posted.providerMessageId).toMatch(/^C[0-9A-F]{10}\/\d+\.\d{6}$/);
    expect(await ch.send(n({ channel: CHANNELS.SLACK, slack: { channel: '', text: 'Via the hook' } }))).toEqual({});
    expect(await messages()).toEqual([
      expect.objectContaining({ channel: 'SLACK', recipient: '#general', text: 'Deployed' }),
      expect.objectContaining({ channel: 'SLACK', recipient: 'incoming-webhook', text: 'Via the hook' }),
    ]);
  });

  test('when the WEBHOOK channel posts to the receiver, then the signature verifies and the parsed body is kept; a repeat is not kept twice', async () => {
    const ch = webhookChannel();
    const url = `${sandbox.webhookReceiverUrl}/orders`;
    const notification = n({ channel: CHANNELS.WEBHOOK, webhook: { url, payloadJson: '{"a":1}' } });
    expect(await ch.send(notification)).toEqual({ providerMessageId: 'wh-1' });
    expect(await ch.send(notification)).toEqual({ providerMessageId: 'wh-1' });
    const [kept, ...more] = await messages();
    expect(more).toEqual([]);
    expect(kept).toMatchObject({ channel: 'WEBHOOK', recipient: url, body: { notification_id: notification.notificationId, type: 'order.shipped', data: { a: 1 } } });
    expect(lines[0]).toBe(`WEBHOOK to ${url}: {"a":1}`);
    expect(lines[1]).toContain('duplicate');
  });

  test('when messages of several channels arrive, then GET /messages lists them newest last and ?channel= filters', async () => {
    await smsChannel().send(sms('+819000000001'));
    await lineChannel().send(n({ channel: CHANNELS.LINE, line: { to: LINE_USER, text: 'between' } }));
    await smsChannel().send(sms('+819000000002'));
    expect((await messages()).map((m) => m.recipient)).toEqual(['+819000000001', LINE_USER, '+819000000002']);
    expect((await messages('?channel=sms')).map((m) => m.recipient)).toEqual(['+819000000001', '+819000000002']);
  });
});

describe('provider sandbox: a malformed request gets the provider\'s refusal, is printed, and is not kept', () => {
  test('when a credential is wrong, then each provider refuses it and the adapter classifies it as BAD_CREDENTIALS', async () => {
    const wrongFcm = adapter(makeFcmChannel({ baseUrl: sandbox.url, projectId: LOCAL.fcmProjectId, accessToken: async () => 'ya29.other', timeoutMs: TIMEOUT_MS }));
    const sends = [
      smsChannel('wrong-token').send(sms()),
      wrongFcm.send(push),
      lineChannel('wrong-token').send(n({ channel: CHANNELS.LINE, line: { to: LINE_USER, text: 'x' } })),
      slackChannel({ botToken: 'xoxb-wrong' }).send(n({ channel: CHANNELS.SLACK, slack: { channel: '#general', text: 'x' } })),
      slackChannel({ webhookUrl: `${sandbox.url}/services/T1/B1/other` }).send(n({ channel: CHANNELS.SLACK, slack: { channel: '', text: 'x' } })),
    ];
    const errors = await Promise.all(sends.map(permanentError));
    expect(errors.map((e) => e.code)).toEqual(['BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS']);
    expect(errors.map((e) => e.message)).toEqual([
      'twilio answered HTTP 401 (20003)',
      'fcm answered HTTP 401',
      'line answered HTTP 401',
      'slack-api answered HTTP 200 (invalid_auth)',
      'slack-webhook answered HTTP 404 (no_service)',
    ]);
    expect(await messages()).toEqual([]);
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.startsWith('provider sandbox refused '))).toBe(true);
  });

  test('when a webhook is signed with another secret, then the receiver answers 401 and the adapter counts it rejected', async () => {
    const url = `${sandbox.webhookReceiverUrl}/orders`;
    const err = await permanentError(webhookChannel('another-secret-of-at-least-32-characters').send(n({ channel: CHANNELS.WEBHOOK, webhook: { url, payloadJson: '{"a":1}' } })));
    expect(err.message).toBe(`webhook 127.0.0.1:${sandbox.port} answered HTTP 401`);
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(unsigned.status).toBe(401);
    expect(await messages()).toEqual([]);
    expect(lines[0]).toContain('X-Notifier-Signature does not verify');
  });

  test('when a request misses a required field or header, then the provider\'s 4xx names it', async () => {
    const twilio = await fetch(`${sandbox.url}/2010-04-01/Accounts/${LOCAL.twilioAccountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${LOCAL.twilioAccountSid}:${LOCAL.twilioAuthToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ From: LOCAL.twilioFrom, Body: 'no recipient' }).toString(),
    });
    expect(twilio.status).toBe(400);
    expect(await twilio.json()).toMatchObject({ code: 21604 });

    const fcm = await fetch(`${sandbox.url}/v1/projects/${LOCAL.fcmProjectId}/messages:send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LOCAL.fcmAccessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: { notification: { title: 'no token' } } }),
    });
    expect(fcm.status).toBe(400);
    expect(await fcm.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });

    const token = await fetch(`${sandbox.url}/computeMetadata/v1/instance/service-accounts/default/token`);
    expect(token.status).toBe(403);
    expect(token.headers.get('metadata-flavor')).toBe('Google');

    const line = await fetch(`${sandbox.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LOCAL.lineChannelAccessToken}`, 'content-type': 'application/json', 'x-line-retry-key': 'not-a-uuid' },
      body: JSON.stringify({ to: LINE_USER, messages: [{ type: 'text', text: 'x' }] }),
    });
    expect(line.status).toBe(400);

    const hook = await fetch(`${sandbox.url}${LOCAL.slackWebhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([hook.status, await hook.text()]).toEqual([400, 'no_text']);

    expect(await messages()).toEqual([]);
    expect(lines).toHaveLength(5);
  });

  test('when a path is unknown, then 404 points at GET /messages', async () => {
    const res = await fetch(`${sandbox.url}/twilio/2010-04-01/Accounts`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.stringContaining('GET /messages') });
  });
});

describe('provider sandbox: starting', () => {
  test('when its port is taken, then starting fails naming LOCAL_PROVIDERS_PORT', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startProviderSandbox({ port })).rejects.toThrow(/LOCAL_PROVIDERS_PORT/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
