/**
 * The only module that reads `process.env` (env.ts parses values, channels.ts the channel
 * settings). Everything is parsed and checked once
 * at start-up into a frozen, typed object; a bad value throws a ConfigError that
 * names the variable, and the process does not start.
 */

import { ChannelsConfig, GatesConfig, loadChannels, loadGates } from './channels';
import { ConfigError, Env, integer, oneOf, optional, text, url } from './env';

export { ConfigError };
export type { ChannelsConfig, GatesConfig };

export type PushAuthMode = 'none' | 'oidc';
export type SchemaEncoding = 'JSON' | 'BINARY';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Config {
  readonly nodeEnv: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly mysql: {
    readonly url: string;
    readonly poolSize: number;
    /** GET_LOCK wait: a second delivery of the same notification gives up after this. */
    readonly lockWaitSeconds: number;
    /** Upper bound for one statement (and for opening a connection). */
    readonly queryTimeoutMs: number;
  };
  readonly smtp: { readonly url: string; readonly from: string; readonly poolSize: number };
  readonly push: {
    readonly auth: PushAuthMode;
    readonly audience?: string;
    readonly serviceAccount?: string;
  };
  readonly pubsub: {
    readonly projectId: string;
    readonly emulatorHost?: string;
    readonly deadLetterTopic: string;
    readonly poisonTopic?: string;
    /** Encoding assumed when a message lacks `googclient_schemaencoding`. */
    readonly defaultEncoding: SchemaEncoding;
    readonly publishTimeoutMs: number;
  };
  readonly delivery: {
    /** Our own attempt budget; must stay below the subscription's max_delivery_attempts. */
    readonly maxAttempts: number;
    /** Replays (attribute notifier_replay_of) that may reopen one failed notification; 0 refuses all. */
    readonly maxReplays: number;
    readonly sendTimeoutMs: number;
    /** Types whose resend is harmless when a crash left the send outcome unknown. */
    readonly resendSafeTypes: ReadonlySet<string>;
    /** The push subscription's ack deadline; the delivery budget must fit inside it. */
    readonly ackDeadlineSeconds: number;
  };
  /** The HTTP channels; a channel whose credentials are not set is not configured. */
  readonly channels: ChannelsConfig;
  /** Rate limits and circuit breakers in front of every provider, per instance. */
  readonly gates: GatesConfig;
  /** How long SIGTERM waits for in-flight deliveries (Cloud Run kills after 10 s). */
  readonly shutdownGraceMs: number;
}

/** Everything a delivery may spend besides the send itself (DB round trips, dead-letter publish). */
export function deliveryBudgetMs(c: Pick<Config, 'mysql' | 'pubsub' | 'delivery'>): number {
  return (
    c.delivery.sendTimeoutMs +
    c.mysql.lockWaitSeconds * 1000 +
    c.mysql.queryTimeoutMs +
    c.pubsub.publishTimeoutMs
  );
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = text(env, 'NODE_ENV', 'development');
  const pushAuth = oneOf(env, 'PUSH_AUTH', ['none', 'oidc'] as const, 'oidc');
  if (pushAuth === 'none' && nodeEnv === 'production') {
    throw new ConfigError('PUSH_AUTH', '"none" is refused when NODE_ENV=production; use "oidc"');
  }
  const push = {
    auth: pushAuth,
    audience: pushAuth === 'oidc' ? text(env, 'PUSH_AUDIENCE') : optional(env, 'PUSH_AUDIENCE'),
    serviceAccount:
      pushAuth === 'oidc' ? text(env, 'PUSH_SERVICE_ACCOUNT') : optional(env, 'PUSH_SERVICE_ACCOUNT'),
  };
  const from = text(env, 'EMAIL_FROM');
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from.replace(/^.*<(.+)>\s*$/, '$1'))) {
    throw new ConfigError('EMAIL_FROM', `is not an email address: "${from}"`);
  }

  const config: Config = {
    nodeEnv,
    port: integer(env, 'PORT', 8080, 0, 65535),
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
    mysql: {
      url: url(env, 'MYSQL_URL', ['mysql:']),
      poolSize: integer(env, 'MYSQL_POOL_SIZE', 10, 1, 100),
      lockWaitSeconds: integer(env, 'LOCK_WAIT_SECONDS', 1, 0, 30),
      queryTimeoutMs: integer(env, 'MYSQL_TIMEOUT_MS', 5000, 100, 60000),
    },
    smtp: {
      url: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      from,
      poolSize: integer(env, 'SMTP_POOL_SIZE', 5, 1, 100),
    },
    push,
    pubsub: {
      projectId: text(env, 'GOOGLE_CLOUD_PROJECT'),
      emulatorHost: optional(env, 'PUBSUB_EMULATOR_HOST'),
      deadLetterTopic: text(env, 'DEAD_LETTER_TOPIC'),
      poisonTopic: optional(env, 'POISON_TOPIC'),
      defaultEncoding: oneOf(env, 'SCHEMA_ENCODING', ['JSON', 'BINARY'] as const, 'JSON'),
      publishTimeoutMs: integer(env, 'PUBLISH_TIMEOUT_MS', 5000, 100, 60000),
    },
    delivery: {
      maxAttempts: integer(env, 'MAX_ATTEMPTS', 5, 1, 99),
      maxReplays: integer(env, 'MAX_REPLAYS', 3, 0, 100),
      sendTimeoutMs: integer(env, 'SEND_TIMEOUT_MS', 10000, 100, 300000),
      resendSafeTypes: new Set(
        (optional(env, 'RESEND_SAFE_TYPES') ?? '').split(',').map((t) => t.trim()).filter(Boolean),
      ),
      ackDeadlineSeconds: integer(env, 'ACK_DEADLINE_SECONDS', 60, 10, 600),
    },
    channels: loadChannels(env, nodeEnv === 'production'),
    gates: loadGates(env),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 8000, 0, 60000),
  };

  const budget = deliveryBudgetMs(config);
  if (budget >= config.delivery.ackDeadlineSeconds * 1000) {
    throw new ConfigError(
      'ACK_DEADLINE_SECONDS',
      `${config.delivery.ackDeadlineSeconds}s is not above the delivery budget of ${budget} ms ` +
        '(SEND_TIMEOUT_MS + LOCK_WAIT_SECONDS + MYSQL_TIMEOUT_MS + PUBLISH_TIMEOUT_MS): ' +
        'Pub/Sub would redeliver while the first delivery is still running',
    );
  }
  return deepFreeze(config);
}

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

/** Where the `notifier` CLI publishes; command-line flags override these. */
export interface PublisherConfig {
  readonly projectId?: string;
  readonly topic: string;
  readonly encoding: SchemaEncoding;
  readonly emulatorHost?: string;
}

/**
 * Where the CLI publishes. With `local`, the pipeline `npm start` runs: its project and
 * emulator unless GOOGLE_CLOUD_PROJECT / PUBSUB_EMULATOR_HOST move them, as they move
 * `npm start`, and its topic `notifications`.
 */
export function loadPublisherConfig(env: Env = process.env, opts: { local?: boolean } = {}): PublisherConfig {
  const source: Env = opts.local
    ? {
        ...env,
        GOOGLE_CLOUD_PROJECT: optional(env, 'GOOGLE_CLOUD_PROJECT') ?? LOCAL_DEFAULTS.GOOGLE_CLOUD_PROJECT,
        PUBSUB_EMULATOR_HOST: optional(env, 'PUBSUB_EMULATOR_HOST') ?? LOCAL_DEFAULTS.PUBSUB_EMULATOR_HOST,
        NOTIFIER_TOPIC: undefined,
      }
    : env;
  return Object.freeze({
    projectId: optional(source, 'GOOGLE_CLOUD_PROJECT'),
    topic: text(source, 'NOTIFIER_TOPIC', 'notifications'),
    encoding: oneOf(source, 'SCHEMA_ENCODING', ['JSON', 'BINARY'] as const, 'JSON'),
    emulatorHost: optional(source, 'PUBSUB_EMULATOR_HOST'),
  });
}

/** Where `notifier failures` and `notifier replay` read failure records. */
export type FailureStoreConfig = { kind: 'mysql'; url: string } | { kind: 'bigquery'; dataset: string };

/**
 * `--local` (or MYSQL_URL with it): the npm start stand-in tables; otherwise BigQuery,
 * FAILURES_DATASET as `project.dataset`. Undefined when neither is known.
 */
export function loadFailureStoreConfig(env: Env = process.env, opts: { local?: boolean } = {}): FailureStoreConfig | undefined {
  if (opts.local) return { kind: 'mysql', url: url(env, 'MYSQL_URL', ['mysql:'], LOCAL_DEFAULTS.MYSQL_URL) };
  const dataset = optional(env, 'FAILURES_DATASET');
  if (dataset === undefined) return undefined;
  if (!/^[a-z][a-z0-9-]{4,61}[a-z0-9]\.[A-Za-z0-9_]{1,1024}$/.test(dataset)) {
    throw new ConfigError('FAILURES_DATASET', `must be project.dataset, got "${dataset}"`);
  }
  return { kind: 'bigquery', dataset };
}

/** What `npm run migrate` needs: only the database URL. */
export function loadMigrateConfig(env: Env = process.env): { mysqlUrl: string } {
  return { mysqlUrl: url(env, 'MYSQL_URL', ['mysql:']) };
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) {
    if (v && typeof v === 'object' && !(v instanceof Set)) deepFreeze(v);
  }
  return Object.freeze(value);
}
