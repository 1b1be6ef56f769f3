import { CHANNELS, ChannelName } from '../codec/notification';
import { loadFailureStoreConfig } from '../config';
import { FailureFilters, parseSince } from '../failures/filters';
import { makeBigQueryFailureStore } from '../failures/bigquery-store';
import { makeMysqlFailureStore } from '../failures/mysql-store';
import { FailureStore } from '../failures/store';
import { CliError } from './errors';
import { positiveNumber } from './flags';

/** Flags `failures` and `replay` share: which failures, and where they are stored. */
export const FAILURE_OPTIONS = {
  since: { type: 'string' },
  channel: { type: 'string' },
  type: { type: 'string' },
  code: { type: 'string' },
  account: { type: 'string' },
  notification: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
  dataset: { type: 'string' },
  'mysql-url': { type: 'string' },
} as const;

export const FAILURE_FLAGS_USAGE = `  --since <duration>      failures recorded in the last 30m, 24h, 7d … (default 24h)
  --channel <name>        EMAIL, SMS, …; a routed notification's contact as EMAIL:0a1b2c3d
  --type <type>           notification type, e.g. order.shipped
  --code <code>           failure code, e.g. ATTEMPTS_EXHAUSTED (PUBSUB_DEAD_LETTER: Pub/Sub's own policy)
  --account <id>          account ID
  --notification <id>     one notification ID
  --limit <n>             at most n rows / notifications
  --dataset <p.d>         BigQuery project.dataset of the failure tables (default: env FAILURES_DATASET)
  --local                 the npm start pipeline's stand-in tables in MySQL (MYSQL_URL, default
                          mysql://root@127.0.0.1:3306/notifier); --mysql-url <url> names another`;

type FailureFlags = { [K in keyof typeof FAILURE_OPTIONS]?: (typeof FAILURE_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** A channel flag: a channel name, or a routed notification's contact key (routing.ts targetKey). */
export interface ChannelKey {
  channel: ChannelName;
  /** `EMAIL:0a1b2c3d`: the ledger key of one contact of a routed notification. */
  target?: string;
}

/** `--channel EMAIL` or `--channel EMAIL:0a1b2c3d` (hex as targetKey writes it, lower case). */
export function channelFlag(value: string): ChannelKey {
  const [name = '', hash, ...rest] = value.trim().split(':');
  const channel = name.toUpperCase() as ChannelName;
  if (!Object.hasOwn(CHANNELS, channel)) throw new CliError(`--channel: "${value}" is not a channel (${Object.keys(CHANNELS).join(', ')})`);
  if (hash === undefined) return { channel };
  if (rest.length || !/^[0-9a-f]{8}$/i.test(hash)) {
    throw new CliError(`--channel: "${value}" is not a channel, nor a routed contact like ${channel}:0a1b2c3d`);
  }
  return { channel, target: `${channel}:${hash.toLowerCase()}` };
}

/** The filters from the flags; every value is checked before any query runs. */
export function filtersFrom(flags: FailureFlags, nowMs: number): FailureFilters {
  const since = parseSince(flags.since ?? '24h');
  if (since === undefined) throw new CliError(`--since: "${flags.since}" is not a duration like 30m, 24h or 7d`);
  const key = flags.channel === undefined ? undefined : channelFlag(flags.channel);
  return {
    since: new Date(nowMs - since),
    channel: key?.channel,
    type: flags.type,
    code: flags.code?.toUpperCase(),
    account: flags.account,
    ...(flags.notification !== undefined && { notificationId: flags.notification }),
    ...(key?.target !== undefined && { target: key.target }),
    limit: positiveNumber('limit', flags.limit, true),
  };
}

/** Where the failures are: `--mysql-url`, `--local`, `--dataset` / FAILURES_DATASET. */
export function openFailureStore(flags: FailureFlags & { local?: boolean }, env: Record<string, string | undefined>): FailureStore {
  if (flags['mysql-url'] !== undefined) return makeMysqlFailureStore(flags['mysql-url']);
  const config = flags.dataset !== undefined
    ? loadFailureStoreConfig({ FAILURES_DATASET: flags.dataset })
    : loadFailureStoreConfig(env, { local: flags.local });
  if (!config) {
    throw new CliError('where are the failures? pass --dataset <project.dataset> (BigQuery), set FAILURES_DATASET, or use --local for the npm start pipeline');
  }
  return config.kind === 'mysql' ? makeMysqlFailureStore(config.url) : makeBigQueryFailureStore({ dataset: config.dataset });
}
