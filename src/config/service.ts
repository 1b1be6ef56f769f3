import { CallbacksConfig, loadCallbacks } from './callbacks';
import { ChannelsConfig, GatesConfig, loadChannels, loadGates } from './channels';
import { ConfigError, Env, integer, list, oneOf, optional, text, url } from './env';
import { LOCAL_SIGNING_KEY, MIN_SIGNING_KEY_LENGTH } from '../codec/internal-attributes';
import type { Encoding } from '../codec/codec';
import { TEMPLATES_DIR } from '../paths';

export type PushAuthMode = 'none' | 'oidc';
/** The encoding of the notifications topic's schema (codec's Encoding). */
export type SchemaEncoding = Encoding;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Config {
  readonly nodeEnv: string;
  readonly port: number;
  /** HOST: the address to listen on; absent, every interface (as Cloud Run requires). */
  readonly host?: string;
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
    /** EVENTS_TOPIC: lifecycle events go here; absent, none are published. */
    readonly eventsTopic?: string;
    /** EVENTS_MAX_PENDING: events waiting to be published, at most; more are dropped and counted. */
    readonly eventsMaxPending: number;
    /** Encoding assumed when a message lacks `googclient_schemaencoding`. */
    readonly defaultEncoding: SchemaEncoding;
    readonly publishTimeoutMs: number;
    /** The notifications topic: routed notifications' per-channel messages and released held ones go back to it. */
    readonly notificationsTopic: string;
    /** INTERNAL_SIGNING_KEYS: the first signs the notifier's own messages, each verifies (codec/internal-attributes.ts). */
    readonly signingKeys: readonly string[];
    /** INTERNAL_UNSIGNED_UNTIL (epoch ms): messages published before it are trusted unsigned, for an upgrade's backlog. */
    readonly unsignedUntilMs?: number;
  };
  /** The settings API and the task endpoints (Cloud Scheduler). */
  readonly api: {
    readonly auth: PushAuthMode;
    /** The expected `aud` of callers' OIDC tokens (the service URL). */
    readonly audience?: string;
    /** Service accounts allowed to read and change account settings. */
    readonly settingsCallers: readonly string[];
    /** STATUS_CALLERS: service accounts that may read delivery status (GET /v1/notifications/…). */
    readonly statusCallers: readonly string[];
    /** SUPPRESSION_CALLERS: service accounts that may look up, add, remove and list suppression list entries. */
    readonly suppressionCallers: readonly string[];
    /** The service account Cloud Scheduler calls the task endpoints as. */
    readonly tasksCaller?: string;
  };
  /** Releasing notifications held for quiet hours (POST /tasks/release-held). */
  readonly release: {
    /** Held notifications published per call. */
    readonly batchSize: number;
    /** A claim older than this (a release that died mid-way) may be taken over. */
    readonly claimTimeoutMs: number;
  };
  /** TEMPLATES_DIR: the template catalogue (templates/ of the package unless set). */
  readonly templatesDir: string;
  /** SUPPRESSION_KEY: the suppression list keeps addresses as HMAC-SHA256 under it; changing it empties the list in effect. */
  readonly suppressionKey: string;
  /** Provider status callbacks (PUBLIC_URL, SENDGRID_WEBHOOK_PUBLIC_KEY): src/http/callbacks.ts. */
  readonly callbacks: CallbacksConfig;
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
    /** Types (or `category.*`) that opt-outs and quiet hours never apply to: security, legal, transactional. */
    readonly mandatoryTypes: readonly string[];
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

/** What the drain must leave after the longest send: recording its outcome. */
export const OUTCOME_WRITE_MARGIN_MS = 1000;

/**
 * SIGTERM must let the longest send finish and be recorded: a process that exits mid-send
 * leaves its row `sending`, which ends as an unknown outcome instead of `sent`.
 */
function checkShutdownGrace(c: Pick<Config, 'delivery' | 'shutdownGraceMs'>): void {
  const needed = c.delivery.sendTimeoutMs + OUTCOME_WRITE_MARGIN_MS;
  if (c.shutdownGraceMs < needed) {
    throw new ConfigError(
      'SHUTDOWN_GRACE_MS',
      `${c.shutdownGraceMs} ms does not cover the longest send: SEND_TIMEOUT_MS (${c.delivery.sendTimeoutMs}) + ` +
        `${OUTCOME_WRITE_MARGIN_MS} ms to record its outcome = ${needed} ms`,
    );
  }
}

/** Notification types or `category.*` patterns, comma-separated. */
function typePatterns(env: Env, name: string): string[] {
  const patterns = list(env, name);
  const bad = patterns.find((p) => !/^[^\s,*]+(\.\*)?$/.test(p));
  if (bad !== undefined) throw new ConfigError(name, `"${bad}" is not a type or a category.* pattern`);
  return patterns;
}

/**
 * INTERNAL_SIGNING_KEYS, comma-separated, each at least MIN_SIGNING_KEY_LENGTH characters;
 * unset: `fallback` (the local key outside production), else an error naming the variable.
 */
export function signingKeys(env: Env, fallback: string | undefined): string[] {
  const keys = list(env, 'INTERNAL_SIGNING_KEYS');
  if (keys.length === 0) {
    if (fallback !== undefined) return [fallback];
    throw new ConfigError('INTERNAL_SIGNING_KEYS', 'is required: the notifier signs the messages it publishes for itself and obeys notifier_* attributes only when signed');
  }
  if (keys.some((k) => k.length < MIN_SIGNING_KEY_LENGTH)) {
    throw new ConfigError('INTERNAL_SIGNING_KEYS', `each key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  }
  return keys;
}

/** The local pipeline's suppression-list key: not a secret, and refused in production. */
export const LOCAL_SUPPRESSION_KEY = 'local-only-notifier-suppression-key-not-for-production';

/** A key of at least MIN_SIGNING_KEY_LENGTH characters; unset: `fallback`, else an error naming the variable. */
function secretKey(env: Env, name: string, fallback: string | undefined): string {
  const key = optional(env, name) ?? fallback;
  if (key === undefined) throw new ConfigError(name, 'is required in production: the suppression list keeps addresses as HMACs under this key');
  if (key.length < MIN_SIGNING_KEY_LENGTH) throw new ConfigError(name, `must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  return key;
}

/** An RFC 3339 instant with a zone (2026-12-08T09:00:00Z), as epoch ms; unset: undefined. */
function instant(env: Env, name: string): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) || !Number.isFinite(ms)) {
    throw new ConfigError(name, `must be an instant such as 2026-12-08T09:00:00Z, got "${raw}"`);
  }
  return ms;
}

/** The settings and task APIs authenticate like push unless told otherwise (API_AUTH, API_AUDIENCE). */
function loadApi(env: Env, nodeEnv: string, push: Config['push']): Config['api'] {
  const auth = oneOf(env, 'API_AUTH', ['none', 'oidc'] as const, push.auth);
  if (auth === 'none' && nodeEnv === 'production') {
    throw new ConfigError('API_AUTH', '"none" is refused when NODE_ENV=production; use "oidc"');
  }
  return {
    auth,
    audience: auth === 'oidc' ? text(env, 'API_AUDIENCE', push.audience) : optional(env, 'API_AUDIENCE'),
    settingsCallers: list(env, 'SETTINGS_CALLERS'),
    statusCallers: list(env, 'STATUS_CALLERS'),
    suppressionCallers: list(env, 'SUPPRESSION_CALLERS'),
    tasksCaller: optional(env, 'TASKS_CALLER'),
  };
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
    host: optional(env, 'HOST'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
    mysql: {
      url: url(env, 'MYSQL_URL', ['mysql:']),
      poolSize: integer(env, 'MYSQL_POOL_SIZE', 10, 1, 100),
      lockWaitSeconds: integer(env, 'LOCK_WAIT_SECONDS', 1, 0, 30),
      // At least 2 s: the server's lock waits (whole seconds) must end a second before the client gives up.
      queryTimeoutMs: integer(env, 'MYSQL_TIMEOUT_MS', 5000, 2000, 60000),
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
      eventsTopic: optional(env, 'EVENTS_TOPIC'),
      eventsMaxPending: integer(env, 'EVENTS_MAX_PENDING', 10000, 100, 1000000),
      defaultEncoding: oneOf(env, 'SCHEMA_ENCODING', ['JSON', 'BINARY'] as const, 'JSON'),
      publishTimeoutMs: integer(env, 'PUBLISH_TIMEOUT_MS', 5000, 100, 60000),
      notificationsTopic: text(env, 'NOTIFIER_TOPIC', 'notifications'),
      signingKeys: signingKeys(env, nodeEnv === 'production' ? undefined : LOCAL_SIGNING_KEY),
      unsignedUntilMs: instant(env, 'INTERNAL_UNSIGNED_UNTIL'),
    },
    callbacks: loadCallbacks(env, nodeEnv === 'production'),
    templatesDir: text(env, 'TEMPLATES_DIR', TEMPLATES_DIR),
    suppressionKey: secretKey(env, 'SUPPRESSION_KEY', nodeEnv === 'production' ? undefined : LOCAL_SUPPRESSION_KEY),
    delivery: {
      maxAttempts: integer(env, 'MAX_ATTEMPTS', 5, 1, 99),
      maxReplays: integer(env, 'MAX_REPLAYS', 3, 0, 100),
      sendTimeoutMs: integer(env, 'SEND_TIMEOUT_MS', 8000, 100, 300000),
      resendSafeTypes: new Set(list(env, 'RESEND_SAFE_TYPES')),
      ackDeadlineSeconds: integer(env, 'ACK_DEADLINE_SECONDS', 60, 10, 600),
      mandatoryTypes: typePatterns(env, 'MANDATORY_TYPES'),
    },
    api: loadApi(env, nodeEnv, push),
    release: {
      batchSize: integer(env, 'RELEASE_BATCH_SIZE', 500, 1, 5000),
      claimTimeoutMs: integer(env, 'RELEASE_CLAIM_TIMEOUT_MS', 300000, 10000, 3600000),
    },
    channels: loadChannels(env, nodeEnv === 'production'),
    gates: loadGates(env),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 9500, 0, 60000),
  };
  checkShutdownGrace(config);

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

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) {
    if (v && typeof v === 'object' && !(v instanceof Set)) deepFreeze(v);
  }
  return Object.freeze(value);
}
