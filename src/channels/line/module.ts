import { baseUrl, optional, text } from '../../config/env';
import type { ChannelModule } from '../channel-module';
import { LineChannelOptions, makeLineChannel } from './channel';
import { LINE } from './message';
import { lineRoute } from './sandbox';

/** LINE Messaging API push messages. */
export type LineSettings = Omit<LineChannelOptions, 'timeoutMs'>;

const credentials = { lineChannelAccessToken: 'local-line-channel-access-token' };

export const LINE_MODULE: ChannelModule<LineSettings, typeof credentials> = {
  message: LINE,
  rateLimit: { variable: 'LINE_RATE_LIMIT', perSecond: 100 },
  loadSettings: (env, production) =>
    optional(env, 'LINE_CHANNEL_ACCESS_TOKEN') === undefined
      ? undefined
      : {
          baseUrl: baseUrl(env, 'LINE_BASE_URL', 'https://api.line.me', production),
          channelAccessToken: text(env, 'LINE_CHANNEL_ACCESS_TOKEN'),
        },
  create: ({ channels: { line } }, timeoutMs) => line && makeLineChannel({ ...line, timeoutMs }),
  sandbox: {
    credentials,
    own: ['LINE_CHANNEL_ACCESS_TOKEN'],
    env: (url) => ({ LINE_CHANNEL_ACCESS_TOKEN: credentials.lineChannelAccessToken, LINE_BASE_URL: url }),
    routes: (c) => [lineRoute(c.lineChannelAccessToken)],
  },
};
