import { baseUrl, matching, optional } from '../../config/env';
import type { ChannelModule } from '../channel-module';
import { FcmChannelOptions, makeFcmChannel } from './channel';
import { PUSH } from './message';
import { fcmRoute, metadataTokenRoute } from './sandbox';

/** Firebase Cloud Messaging HTTP v1; credentials are the service's own (application default credentials). */
export type PushSettings = Omit<FcmChannelOptions, 'timeoutMs' | 'accessToken'>;

const credentials = {
  fcmProjectId: 'notifier-local',
  /** What the sandbox's metadata server issues, and FCM accepts. */
  fcmAccessToken: 'ya29.local-sandbox-access-token',
};

export const PUSH_MODULE: ChannelModule<PushSettings, typeof credentials> = {
  message: PUSH,
  rateLimit: { variable: 'PUSH_RATE_LIMIT', perSecond: 500 },
  loadSettings: (env, production) =>
    optional(env, 'FCM_PROJECT_ID') === undefined
      ? undefined
      : {
          baseUrl: baseUrl(env, 'FCM_BASE_URL', 'https://fcm.googleapis.com', production),
          projectId: matching(env, 'FCM_PROJECT_ID', /^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'a Firebase project ID'),
        },
  create: ({ channels: { push } }, timeoutMs) => push && makeFcmChannel({ ...push, timeoutMs }),
  sandbox: {
    credentials,
    own: ['FCM_PROJECT_ID'],
    env: (url) => ({ FCM_PROJECT_ID: credentials.fcmProjectId, FCM_BASE_URL: url }),
    routes: (c) => [fcmRoute(c.fcmProjectId, c.fcmAccessToken), metadataTokenRoute(c.fcmAccessToken)],
  },
};
