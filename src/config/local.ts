/** Config of the local pipeline (`npm start`): its defaults, and the provider sandbox's channels. */
import { Config, loadConfig } from './service';
import { Env, integer, optional } from './env';

/** Defaults of the local pipeline (`npm start`); any variable set in the environment wins. */
export const LOCAL_DEFAULTS: Readonly<Record<string, string>> = {
  NODE_ENV: 'development',
  // The pipeline prints one line per push itself; LOG_LEVEL=info adds the notifier's own lines.
  LOG_LEVEL: 'warn',
  PUSH_AUTH: 'none',
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/notifier',
  EMAIL_FROM: 'Notifier <notifier@example.com>',
  GOOGLE_CLOUD_PROJECT: 'notifier-local',
  PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
  DEAD_LETTER_TOPIC: 'notifications-dead-letter',
  POISON_TOPIC: 'notifications-poison',
};

/**
 * The provider sandbox's local credentials (`npm start`): what the sandbox accepts, and what
 * a channel the developer has not configured is given. None of them is a secret.
 */
export const LOCAL_PROVIDER_CREDENTIALS = Object.freeze({
  twilioAccountSid: `AC${'0'.repeat(28)}1090`,
  twilioAuthToken: 'local-twilio-auth-token',
  /** Twilio's documented test sender number. */
  twilioFrom: '+15005550006',
  fcmProjectId: 'notifier-local',
  /** What the sandbox's metadata server issues, and FCM accepts. */
  fcmAccessToken: 'ya29.local-sandbox-access-token',
  lineChannelAccessToken: 'local-line-channel-access-token',
  slackBotToken: 'xoxb-local-sandbox-bot-token',
  slackWebhookPath: '/services/TLOCAL0000/BLOCAL0000/local-incoming-webhook',
  webhookSigningSecret: 'local-webhook-signing-secret-not-for-production',
});

/** The channels besides EMAIL, which has its own local stand-in (MailDev). */
type SandboxChannel = 'SMS' | 'PUSH' | 'SLACK' | 'LINE' | 'WEBHOOK';

/**
 * Per channel: the variables that make it the developer's own (any one set: the sandbox
 * leaves the channel alone), and what points it at the sandbox (`url`, no trailing slash).
 */
const LOCAL_SANDBOX_CHANNELS: readonly { channel: SandboxChannel; own: string[]; env: (url: string) => Record<string, string> }[] = [
  {
    channel: 'SMS',
    own: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
    env: (url) => ({
      TWILIO_ACCOUNT_SID: LOCAL_PROVIDER_CREDENTIALS.twilioAccountSid,
      TWILIO_AUTH_TOKEN: LOCAL_PROVIDER_CREDENTIALS.twilioAuthToken,
      TWILIO_FROM: LOCAL_PROVIDER_CREDENTIALS.twilioFrom,
      TWILIO_BASE_URL: url,
    }),
  },
  {
    channel: 'PUSH',
    own: ['FCM_PROJECT_ID'],
    env: (url) => ({ FCM_PROJECT_ID: LOCAL_PROVIDER_CREDENTIALS.fcmProjectId, FCM_BASE_URL: url }),
  },
  {
    channel: 'SLACK',
    own: ['SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL'],
    env: (url) => ({
      SLACK_BOT_TOKEN: LOCAL_PROVIDER_CREDENTIALS.slackBotToken,
      SLACK_WEBHOOK_URL: `${url}${LOCAL_PROVIDER_CREDENTIALS.slackWebhookPath}`,
      SLACK_BASE_URL: `${url}/api`,
    }),
  },
  {
    channel: 'LINE',
    own: ['LINE_CHANNEL_ACCESS_TOKEN'],
    env: (url) => ({ LINE_CHANNEL_ACCESS_TOKEN: LOCAL_PROVIDER_CREDENTIALS.lineChannelAccessToken, LINE_BASE_URL: url }),
  },
  {
    channel: 'WEBHOOK',
    own: ['WEBHOOK_SIGNING_SECRET'],
    // Private networks: the sandbox's receiver is on 127.0.0.1.
    env: () => ({ WEBHOOK_SIGNING_SECRET: LOCAL_PROVIDER_CREDENTIALS.webhookSigningSecret, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }),
  },
];

export interface LocalConfig {
  config: Config;
  /** The local mail catcher to start; absent when SMTP_URL names a server of the developer's. */
  mailCatcher?: { smtpPort: number; uiPort: number };
  /** The provider sandbox: always started; `channels` are those pointed at it. */
  providerSandbox: { port: number; url: string; channels: readonly SandboxChannel[] };
}

/**
 * Config for `npm start`. `delivery` are the Terraform-derived values (MAX_ATTEMPTS,
 * ACK_DEADLINE_SECONDS, SCHEMA_ENCODING); the environment still wins over them. Every
 * channel whose credentials the environment does not set goes to the provider sandbox.
 */
export function loadLocalConfig(env: Env = process.env, delivery: Record<string, string> = {}): LocalConfig {
  const smtpPort = integer(env, 'LOCAL_MAIL_SMTP_PORT', 1025, 1, 65535);
  const uiPort = integer(env, 'LOCAL_MAIL_UI_PORT', 1080, 1, 65535);
  const sandboxPort = integer(env, 'LOCAL_PROVIDERS_PORT', 1090, 1, 65535);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandboxed = LOCAL_SANDBOX_CHANNELS.filter((c) => c.own.every((name) => optional(env, name) === undefined));
  const sandboxEnv = Object.assign({}, ...sandboxed.map((c) => c.env(sandboxUrl))) as Record<string, string>;
  const ownSmtp = optional(env, 'SMTP_URL') !== undefined;
  const config = loadConfig({ ...LOCAL_DEFAULTS, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...sandboxEnv, ...delivery, ...env });
  const providerSandbox = { port: sandboxPort, url: sandboxUrl, channels: sandboxed.map((c) => c.channel) };
  return ownSmtp ? { config, providerSandbox } : { config, mailCatcher: { smtpPort, uiPort }, providerSandbox };
}
