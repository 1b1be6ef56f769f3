import { AllowlistEntryError, parseAllowlistEntry } from '../channels/webhook/allowlist';
import type { ChannelName } from '../codec/notification';
import { baseUrl, ConfigError, Env, flag, integer, list, matching, optional, text, url } from './env';

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
    /**
     * Where a webhook may go, canonical: host names, `*.example.com` for subdomains, IP
     * addresses, each with `:port` when not the default one; empty = any public host on its
     * scheme's default port.
     */
    readonly allowedHosts: readonly string[];
    /** Allow loopback, private and link-local addresses, and any port without an allowlist (local development only). */
    readonly allowPrivateNetworks: boolean;
    /** Refuse http:// URLs (always in production). */
    readonly httpsOnly: boolean;
  };
}

/** Rate limits and circuit breakers in front of every provider, per instance. */
export interface GatesConfig {
  /** Provider calls per second by channel (webhooks: per allowlist entry or site, see webhook-gate-key.ts); 0 = unlimited. */
  readonly ratePerSecond: Readonly<Record<Exclude<ChannelName, 'CHANNEL_UNSPECIFIED'>, number>>;
  /** Consecutive provider failures that open a breaker; 0 disables breakers. */
  readonly breakerFailures: number;
  /** How long an open breaker refuses calls before one probe may test the provider. */
  readonly breakerOpenMs: number;
}

/**
 * The channels beyond email: each is configured when its credentials are set, and its
 * other settings are then checked. Secrets are never echoed in a ConfigError.
 */
export function loadChannels(env: Env, production: boolean): ChannelsConfig {
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
      allowedHosts: webhookAllowlist(env),
      allowPrivateNetworks,
      httpsOnly: production,
    };
  }
  return channels;
}

/** WEBHOOK_ALLOWED_HOSTS, each entry checked and made canonical (`Hooks.Example.com:08443` → `hooks.example.com:8443`). */
function webhookAllowlist(env: Env): string[] {
  return list(env, 'WEBHOOK_ALLOWED_HOSTS').map((entry) => {
    try {
      return parseAllowlistEntry(entry).text;
    } catch (err) {
      if (err instanceof AllowlistEntryError) throw new ConfigError('WEBHOOK_ALLOWED_HOSTS', err.message);
      throw err;
    }
  });
}

/** Provider calls per second per instance unless configured (0 = unlimited; SMTP is bounded by its pool). */
export function loadGates(env: Env): GatesConfig {
  const rate = (name: string, fallback: number) => integer(env, name, fallback, 0, 100000);
  return {
    ratePerSecond: {
      EMAIL: rate('EMAIL_RATE_LIMIT', 0),
      SMS: rate('SMS_RATE_LIMIT', 10),
      PUSH: rate('PUSH_RATE_LIMIT', 500),
      SLACK: rate('SLACK_RATE_LIMIT', 1),
      LINE: rate('LINE_RATE_LIMIT', 100),
      WEBHOOK: rate('WEBHOOK_RATE_LIMIT', 20),
    },
    breakerFailures: integer(env, 'BREAKER_FAILURES', 5, 0, 1000),
    breakerOpenMs: integer(env, 'BREAKER_OPEN_MS', 30000, 100, 600000),
  };
}
