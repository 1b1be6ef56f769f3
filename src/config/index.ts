/**
 * src/config/ is the only place that reads `process.env`: each loader takes the environment
 * (default `process.env`) and parses it once into a frozen, typed object; a bad value throws
 * a ConfigError naming the variable. service.ts is the notifier's own config, channels.ts its
 * channel settings and rates (each channel module parses its own variables from the
 * environment handed to it), local.ts `npm start`'s, env.ts the value parsers; this file the CLI's
 * (suppressions.ts: the key `notifier suppressions` hashes addresses with).
 */
import { ConfigError, Env, integer, oneOf, optional, text, url } from './env';
import { LOCAL_DEFAULTS } from './local';
import type { SchemaEncoding } from './service';

export { ConfigError };
export type { ChannelsConfig, GatesConfig } from './channels';
export { deliveryBudgetMs, loadConfig, LOCAL_SUPPRESSION_KEY } from './service';
export { loadSuppressionKey } from './suppressions';
import { signingKeys } from './service';
import { LOCAL_SIGNING_KEY } from '../codec/internal-attributes';
export type { Config, LogLevel, PushAuthMode, SchemaEncoding } from './service';
export { LOCAL_DEFAULTS, LOCAL_PROVIDER_CREDENTIALS, loadLocalConfig } from './local';
export type { LocalConfig } from './local';

/** Where the `notifier` CLI publishes; command-line flags override these. */
export interface PublisherConfig {
  readonly projectId?: string;
  readonly topic: string;
  readonly encoding: SchemaEncoding;
  readonly emulatorHost?: string;
  /** The first of INTERNAL_SIGNING_KEYS, for replays and resends; the local key when publishing to an emulator. */
  readonly signingKey?: string;
  /** EVENTS_TOPIC (`--local`: the pipeline's); absent: commands publish no lifecycle events. */
  readonly eventsTopic?: string;
}

/**
 * Where the CLI publishes. With `local`, the pipeline `npm start` runs: its project and
 * emulator unless GOOGLE_CLOUD_PROJECT / PUBSUB_EMULATOR_HOST move them, as they move
 * `npm start`, and its topic `notifications`.
 */
/** The events topic of `npm start` (local/topology.ts names it after the notifications topic). */
const LOCAL_EVENTS_TOPIC = 'notifications-events';

export function loadPublisherConfig(env: Env = process.env, opts: { local?: boolean } = {}): PublisherConfig {
  const source: Env = opts.local
    ? {
        ...env,
        GOOGLE_CLOUD_PROJECT: optional(env, 'GOOGLE_CLOUD_PROJECT') ?? LOCAL_DEFAULTS.GOOGLE_CLOUD_PROJECT,
        PUBSUB_EMULATOR_HOST: optional(env, 'PUBSUB_EMULATOR_HOST') ?? LOCAL_DEFAULTS.PUBSUB_EMULATOR_HOST,
        NOTIFIER_TOPIC: undefined,
        EVENTS_TOPIC: optional(env, 'EVENTS_TOPIC') ?? LOCAL_EVENTS_TOPIC,
      }
    : env;
  return Object.freeze({
    projectId: optional(source, 'GOOGLE_CLOUD_PROJECT'),
    topic: text(source, 'NOTIFIER_TOPIC', 'notifications'),
    encoding: oneOf(source, 'SCHEMA_ENCODING', ['JSON', 'BINARY'] as const, 'JSON'),
    emulatorHost: optional(source, 'PUBSUB_EMULATOR_HOST'),
    eventsTopic: optional(source, 'EVENTS_TOPIC'),
    signingKey: optional(source, 'INTERNAL_SIGNING_KEYS') === undefined && optional(source, 'PUBSUB_EMULATOR_HOST') === undefined
      ? undefined
      : signingKeys(source, LOCAL_SIGNING_KEY)[0],
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

/** What `notifier resolve` needs besides the publisher and failure store configs. */
export interface ResolveConfig {
  /** The delivery ledger's database; undefined when neither MYSQL_URL nor `local` names one. */
  readonly mysqlUrl?: string;
  /** The notifier's MAX_REPLAYS: it refuses a replay beyond it, so a resend would never be sent. */
  readonly maxReplays: number;
}

/**
 * MYSQL_URL; with `local`, npm start's database when MYSQL_URL is unset (as for the failure
 * tables). MAX_REPLAYS is read as the notifier reads it, with its default (service.ts).
 */
export function loadResolveConfig(env: Env = process.env, opts: { local?: boolean } = {}): ResolveConfig {
  const named = opts.local || optional(env, 'MYSQL_URL') !== undefined;
  return Object.freeze({
    ...(named && { mysqlUrl: url(env, 'MYSQL_URL', ['mysql:'], opts.local ? LOCAL_DEFAULTS.MYSQL_URL : undefined) }),
    maxReplays: integer(env, 'MAX_REPLAYS', 3, 0, 100),
  });
}

/** What `npm run migrate` needs: only the database URL. */
export function loadMigrateConfig(env: Env = process.env): { mysqlUrl: string } {
  return { mysqlUrl: url(env, 'MYSQL_URL', ['mysql:']) };
}
