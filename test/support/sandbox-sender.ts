/**
 * Sends to a provider sandbox as each provider's client would — Twilio's form post, FCM's
 * JSON, Slack's chat.postMessage and incoming webhook, LINE's push, a signed webhook — with
 * the local credentials, so the inbox tests fill the sandbox through its real routes. Raw
 * requests rather than the channel adapters: a test can put hostile text in any field.
 * Every send must be accepted; a refusal throws with the sandbox's answer.
 */
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADERS, signWebhook } from '../../src/channels/webhook/signature';
import { WEBHOOK_RECEIVER_PATH } from '../../src/channels/webhook/sandbox';
import { LOCAL_PROVIDER_CREDENTIALS as LOCAL } from '../../src/config';

export interface PushSend {
  token: string;
  title?: string;
  body?: string;
  data?: Record<string, string>;
}

export interface SandboxSender {
  sms(to: string, body: string): Promise<void>;
  push(push: PushSend): Promise<void>;
  /** chat.postMessage to `channel`. */
  slack(channel: string, text: string): Promise<void>;
  /** Through the local incoming webhook. */
  slackHook(text: string): Promise<void>;
  line(to: string, text: string): Promise<void>;
  /** A signed webhook to the receiver's `subpath` (`/orders`). */
  webhook(subpath: string, payload: object): Promise<void>;
}

async function accepted(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`the provider sandbox refused the ${what}: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

const json = (token?: string) => ({ 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) });

/** A sender to the sandbox at `baseUrl` (`http://127.0.0.1:port`), which must take the local credentials. */
export function sandboxSender(baseUrl: string): SandboxSender {
  const post = async (path: string, headers: Record<string, string>, body: string, what: string) =>
    accepted(await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body }), what);
  return {
    sms: (to, body) =>
      post(
        `/2010-04-01/Accounts/${LOCAL.twilioAccountSid}/Messages.json`,
        {
          authorization: `Basic ${Buffer.from(`${LOCAL.twilioAccountSid}:${LOCAL.twilioAuthToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        new URLSearchParams({ To: to, From: LOCAL.twilioFrom, Body: body }).toString(),
        'SMS',
      ),
    push: ({ token, title, body, data }) =>
      post(
        `/v1/projects/${LOCAL.fcmProjectId}/messages:send`,
        json(LOCAL.fcmAccessToken),
        JSON.stringify({ message: { token, notification: { title, body }, ...(data && { data }) } }),
        'push',
      ),
    slack: (channel, text) => post('/api/chat.postMessage', json(LOCAL.slackBotToken), JSON.stringify({ channel, text }), 'Slack message'),
    slackHook: (text) => post(LOCAL.slackWebhookPath, json(), JSON.stringify({ text }), 'Slack webhook'),
    line: (to, text) =>
      post('/v2/bot/message/push', { ...json(LOCAL.lineChannelAccessToken), 'x-line-retry-key': randomUUID() }, JSON.stringify({ to, messages: [{ type: 'text', text }] }), 'LINE push'),
    webhook: (subpath, payload) => {
      const url = new URL(`${baseUrl}${WEBHOOK_RECEIVER_PATH}${subpath}`);
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        ...json(),
        [SIGNATURE_HEADERS.timestamp]: String(timestamp),
        [SIGNATURE_HEADERS.signature]: signWebhook(LOCAL.webhookSigningSecret, timestamp, body, url),
        [SIGNATURE_HEADERS.notificationId]: randomUUID(),
      };
      return post(`${WEBHOOK_RECEIVER_PATH}${subpath}`, headers, body, 'webhook');
    },
  };
}
