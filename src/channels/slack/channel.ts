import type { Agent } from 'node:http';
import type { Notification, SlackPayload } from '../../codec/notification';
import { OutcomeUnknownError, PermanentError } from '../../delivery/failures';
import type { Channel, SendReceipt } from '../../delivery/ports';
import { maskId } from '../../logging';
import { callProvider, HttpResponse, providerAgent } from '../http';
import { classifyResponse } from '../http-outcomes';
import {
  apiAnswer,
  SLACK_API_OUTCOMES,
  SLACK_WEBHOOK_OUTCOMES,
  webhookErrorCode,
} from './outcomes';

export interface SlackChannelOptions {
  /** `https://slack.com/api` (SLACK_BASE_URL), without a trailing slash. */
  baseUrl: string;
  /** For chat.postMessage (SLACK_BOT_TOKEN, `xoxb-…`): notifications that name a channel. */
  botToken?: string;
  /** The incoming webhook (SLACK_WEBHOOK_URL): notifications that name no channel. Secret: never logged. */
  webhookUrl?: string;
  timeoutMs: number;
}

/** Two providers: the Web API and incoming webhooks are rate-limited separately. */
const API = 'slack-api';
const WEBHOOK = 'slack-webhook';

/** One POST (Slack does not deduplicate retries). */
function post(provider: string, url: URL, headers: Record<string, string>, body: string, agent: Agent, timeoutMs: number) {
  return callProvider(provider, { url, headers, body, timeoutMs, agent }, { retriesDeduplicated: false });
}

/** chat.postMessage's verdict: HTTP 200 with `ok: false` is still a failure. */
function postMessageReceipt(res: HttpResponse): SendReceipt {
  const answer = apiAnswer(res.body);
  const success = res.status >= 200 && res.status < 300;
  if (success && answer?.ok) return { providerMessageId: answer.channel && answer.ts ? `${answer.channel}/${answer.ts}` : undefined };
  if (success && !answer) {
    // Slack may have posted it; an answer we cannot read says neither yes nor no.
    throw new OutcomeUnknownError(`${API} answered HTTP ${res.status} without a readable result`);
  }
  throw classifyResponse(API, res, SLACK_API_OUTCOMES, answer?.error);
}

/**
 * A channel ID or name names no person and stays readable; a user ID (`U…`, `W…`: a
 * direct message) does, and is masked.
 */
export function slackRecipient(channel: string): string {
  if (!channel) return 'incoming-webhook';
  return /^[UW][A-Z0-9]{8,20}$/.test(channel) ? maskId(channel) : channel;
}

/** SLACK via chat.postMessage (a named channel) or the configured incoming webhook (none named). */
export function makeSlackChannel(opts: SlackChannelOptions): Channel {
  const apiUrl = new URL(`${opts.baseUrl}/chat.postMessage`);
  const webhookUrl = opts.webhookUrl ? new URL(opts.webhookUrl) : undefined;
  const apiAgent = providerAgent(apiUrl);
  const webhookAgent = webhookUrl && providerAgent(webhookUrl);

  async function postMessage(slack: SlackPayload): Promise<SendReceipt> {
    if (!opts.botToken) {
      throw new PermanentError('CHANNEL_NOT_CONFIGURED', 'slack: a channel is named but SLACK_BOT_TOKEN is not set');
    }
    const headers = { authorization: `Bearer ${opts.botToken}`, 'content-type': 'application/json; charset=utf-8' };
    const body = JSON.stringify({ channel: slack.channel, text: slack.text });
    return postMessageReceipt(await post(API, apiUrl, headers, body, apiAgent, opts.timeoutMs));
  }

  async function postWebhook(slack: SlackPayload): Promise<SendReceipt> {
    if (!webhookUrl || !webhookAgent) {
      throw new PermanentError('CHANNEL_NOT_CONFIGURED', 'slack: no slack.channel is named and SLACK_WEBHOOK_URL is not set');
    }
    const headers = { 'content-type': 'application/json' };
    const res = await post(WEBHOOK, webhookUrl, headers, JSON.stringify({ text: slack.text }), webhookAgent, opts.timeoutMs);
    // Success is HTTP 200 with the body `ok`; incoming webhooks return no message ID.
    if (res.status >= 200 && res.status < 300) return {};
    throw classifyResponse(WEBHOOK, res, SLACK_WEBHOOK_OUTCOMES, webhookErrorCode(res.body));
  }

  return {
    name: 'SLACK',
    describeRecipient: (n) => slackRecipient(n.slack?.channel ?? ''),
    provider: (n) => (n.slack?.channel ? API : WEBHOOK),
    async send(n: Notification) {
      const slack = n.slack;
      if (!slack) throw new PermanentError('INVALID_PAYLOAD', 'slack payload missing');
      return slack.channel ? postMessage(slack) : postWebhook(slack);
    },
    async close() {
      apiAgent.destroy();
      webhookAgent?.destroy();
    },
  };
}
