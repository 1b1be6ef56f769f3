import { baseUrl, matching, optional, url } from '../../config/env';
import type { ChannelModule } from '../channel-module';
import { makeSlackChannel, SlackChannelOptions } from './channel';
import { SLACK } from './message';
import { slackApiRoute, slackWebhookRoutes } from './sandbox';

/** chat.postMessage with a bot token, and/or one incoming webhook. */
export type SlackSettings = Omit<SlackChannelOptions, 'timeoutMs'>;

const credentials = {
  slackBotToken: 'xoxb-local-sandbox-bot-token',
  slackWebhookPath: '/services/TLOCAL0000/BLOCAL0000/local-incoming-webhook',
};

export const SLACK_MODULE: ChannelModule<SlackSettings, typeof credentials> = {
  message: SLACK,
  rateLimit: { variable: 'SLACK_RATE_LIMIT', perSecond: 1 },
  loadSettings(env, production) {
    const botToken = optional(env, 'SLACK_BOT_TOKEN');
    const webhookUrl = optional(env, 'SLACK_WEBHOOK_URL');
    if (botToken === undefined && webhookUrl === undefined) return undefined;
    return {
      baseUrl: baseUrl(env, 'SLACK_BASE_URL', 'https://slack.com/api', production),
      botToken: botToken && matching(env, 'SLACK_BOT_TOKEN', /^xox[bp]-/, 'a Slack bot token (xoxb-…)'),
      webhookUrl: webhookUrl && url(env, 'SLACK_WEBHOOK_URL', production ? ['https:'] : ['https:', 'http:']),
    };
  },
  create: ({ channels: { slack } }, timeoutMs) => slack && makeSlackChannel({ ...slack, timeoutMs }),
  sandbox: {
    credentials,
    own: ['SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL'],
    env: (url) => ({ SLACK_BOT_TOKEN: credentials.slackBotToken, SLACK_WEBHOOK_URL: `${url}${credentials.slackWebhookPath}`, SLACK_BASE_URL: `${url}/api` }),
    routes: (c) => [slackApiRoute(c.slackBotToken), ...slackWebhookRoutes(c.slackWebhookPath)],
  },
};
