/**
 * The only module that reads `process.env`. Everything is parsed and checked once
 * at start-up into a frozen, typed object; a bad value throws a ConfigError that
 * names the variable, and the process does not start.
 */

import type { ChannelName } from './codec/notification';

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
  readonly gates: {
    /** Provider calls per second by channel (webhooks: per destination host); 0 = unlimited. */
    readonly ratePerSecond: Readonly<Record<Exclude<ChannelName, 'CHANNEL_UNSPECIFIED'>, number>>;
    /** Consecutive provider failures that open a breaker; 0 disables breakers. */
    readonly breakerFailures: number;
    /** How long an open breaker refuses calls before one probe may test the provider. */
    readonly breakerOpenMs: number;
  };
  /** How long SIGTERM waits for in-flight deliveries (Cloud Run kills after 10 s). */
  readonly shutdownGraceMs: number;
}

export interface ChannelsConfig {
  /** Twilio Programmable Messaging. */
  readonly sms?: { readonly baseUrl: string; readonly accountSid: string; readonly authToken: string; readonly from: string };
  /** Firebase Cloud Messaging HTTP v1; credentials are the service's own (application default credentials). */
  readonly push?: { readonly baseUrl: string; readonly projectId: string };
  /** LINE Messaging API push messages. */
  readonly line?: { readonly baseUrl: string; readonly channelAccessToken: string };
  /** chat.postMessage with a bot token, and/or one incoming webhook. */
  readonly slack?: { readonly baseUrl: string; readonly botToken?: string; readonly webhookUrl?: string };
  /** Signed POSTs to producer-given URLs. */
  readonly webhook?: {
    readonly signingSecret: string;
    /** Host names (`*.example.com` for subdomains) a webhook may go to; empty = any public host. */
    readonly allowedHosts: readonly string[];
    /** Allow loopback, private and link-local addresses (local development only). */
    readonly allowPrivateNetworks: boolean;
    /** Refuse http:// URLs (always in production). */
    readonly httpsOnly: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback?: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(name, 'is required');
}

function optional(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name) ?? fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
}

function url(env: Env, name: string, protocols: readonly string[], fallback?: string): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^(true|false)$/i.test(raw)) throw new ConfigError(name, `must be true or false, got "${raw}"`);
  return raw.toLowerCase() === 'true';
}

/** A value that must match `pattern`; `what` says what it should look like. Never echoes secrets. */
function matching(env: Env, name: string, pattern: RegExp, what: string): string {
  const value = text(env, name);
  if (!pattern.test(value)) throw new ConfigError(name, `must be ${what}`);
  return value;
}

/** A provider's base URL: https in production, http allowed elsewhere (local stand-ins). */
function baseUrl(env: Env, name: string, fallback: string, production: boolean): string {
  return url(env, name, production ? ['https:'] : ['https:', 'http:'], fallback).replace(/\/+$/, '');
}

/** Each channel is configured when its credentials are set; its other settings are then checked. */
function loadChannels(env: Env, production: boolean): ChannelsConfig {
  const channels: { -readonly [K in keyof ChannelsConfig]: ChannelsConfig[K] } = {};
  if (optional(env, 'TWILIO_ACCOUNT_SID') !== undefined) {
    channels.sms = {
      baseUrl: baseUrl(env, 'TWILIO_BASE_URL', 'https://api.twilio.com', production),
      accountSid: matching(env, 'TWILIO_ACCOUNT_SID', /^AC[0-9a-fA-F]{32}$/, 'an account SID (AC and 32 hex digits)'),
      authToken: text(env, 'TWILIO_AUTH_TOKEN'),
      from: matching(env, 'TWILIO_FROM', /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'an E.164 number or a messaging service SID (MG…)'),
    };
  }
  if (optional(env, 'FCM_PROJECT_ID') !== undefined) {
    channels.push = {
      baseUrl: baseUrl(env, 'FCM_BASE_URL', 'https://fcm.googleapis.com', production),
      projectId: matching(env, 'FCM_PROJECT_ID', /^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'a Firebase project ID'),
    };
  }
  if (optional(env, 'LINE_CHANNEL_ACCESS_TOKEN') !== undefined) {
    channels.line = {
      baseUrl: baseUrl(env, 'LINE_BASE_URL', 'https://api.line.me', production),
      channelAccessToken: text(env, 'LINE_CHANNEL_ACCESS_TOKEN'),
    };
  }
  const botToken = optional(env, 'SLACK_BOT_TOKEN');
  const webhookUrl = optional(env, 'SLACK_WEBHOOK_URL');
  if (botToken !== undefined || webhookUrl !== undefined) {
    channels.slack = {
      baseUrl: baseUrl(env, 'SLACK_BASE_URL', 'https://slack.com/api', production),
      botToken: botToken && matching(env, 'SLACK_BOT_TOKEN', /^xox[bp]-/, 'a Slack bot token (xoxb-…)'),
      webhookUrl: webhookUrl && url(env, 'SLACK_WEBHOOK_URL', production ? ['https:'] : ['https:', 'http:']),
    };
  }
  if (optional(env, 'WEBHOOK_SIGNING_SECRET') !== undefined) {
    const allowPrivateNetworks = flag(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false);
    if (allowPrivateNetworks && production) {
      throw new ConfigError('WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'is refused when NODE_ENV=production');
    }
    channels.webhook = {
      signingSecret: matching(env, 'WEBHOOK_SIGNING_SECRET', /^.{32,}$/, 'at least 32 characters'),
      allowedHosts: (optional(env, 'WEBHOOK_ALLOWED_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      allowPrivateNetworks,
      httpsOnly: production,
    };
  }
  return channels;
}

/** Default provider calls per second per instance (0 = unlimited; SMTP is bounded by its pool). */
export const DEFAULT_RATES = { EMAIL: 0, SMS: 10, PUSH: 500, SLACK: 1, LINE: 100, WEBHOOK: 20 } as const;

function loadGates(env: Env): Config['gates'] {
  const rate = (channel: keyof typeof DEFAULT_RATES) => integer(env, `${channel}_RATE_LIMIT`, DEFAULT_RATES[channel], 0, 100000);
  return {
    ratePerSecond: {
      EMAIL: rate('EMAIL'),
      SMS: rate('SMS'),
      PUSH: rate('PUSH'),
      SLACK: rate('SLACK'),
      LINE: rate('LINE'),
      WEBHOOK: rate('WEBHOOK'),
    },
    breakerFailures: integer(env, 'BREAKER_FAILURES', 5, 0, 1000),
    breakerOpenMs: integer(env, 'BREAKER_OPEN_MS', 30000, 100, 600000),
  };
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

export interface LocalConfig {
  config: Config;
  /** The local mail catcher to start; absent when SMTP_URL names a server of the developer's. */
  mailCatcher?: { smtpPort: number; uiPort: number };
}

/**
 * Config for `npm start`. `delivery` are the Terraform-derived values (MAX_ATTEMPTS,
 * ACK_DEADLINE_SECONDS, SCHEMA_ENCODING); the environment still wins over them.
 */
export function loadLocalConfig(env: Env = process.env, delivery: Record<string, string> = {}): LocalConfig {
  const smtpPort = integer(env, 'LOCAL_MAIL_SMTP_PORT', 1025, 1, 65535);
  const uiPort = integer(env, 'LOCAL_MAIL_UI_PORT', 1080, 1, 65535);
  const ownSmtp = optional(env, 'SMTP_URL') !== undefined;
  const config = loadConfig({ ...LOCAL_DEFAULTS, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...delivery, ...env });
  return ownSmtp ? { config } : { config, mailCatcher: { smtpPort, uiPort } };
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
