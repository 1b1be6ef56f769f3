import os from 'node:os';
import type { DeliveryKey } from '../delivery/ports';
import { Resolution, RESOLUTION_LIMITS, RESOLUTIONS } from '../mysql/resolutions';
import { CliError } from './errors';
import { ChannelKey, channelFlag } from './failure-flags';
import { required } from './flags';

/** One resolution asked for, every part checked before the ledger is touched. */
export interface ResolveRequest {
  key: DeliveryKey;
  channel: ChannelKey;
  resolution: Resolution;
  by: string;
  note?: string;
  atMs: number;
}

/** At most `max` characters, as VARCHAR counts them (code points, not UTF-16 units). */
function bounded(flag: string, value: string, max: number): string {
  const length = [...value].length;
  if (length > max) throw new CliError(`--${flag}: ${length} characters; the ledger keeps at most ${max}`);
  return value;
}

function whoIsResolving(): string {
  let name = '';
  try {
    name = os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): then --by is required.
  }
  if (!name) throw new CliError('notifier resolve: who is resolving? os.userInfo() has no user name here; pass --by <name>');
  return name;
}

/** The request from `notifier resolve`'s flags and its one positional argument, the notification ID. */
export function requestFrom(flags: { channel?: string; as?: string; reason?: string; by?: string }, positionals: string[], atMs: number): ResolveRequest {
  if (positionals.length !== 1 || !positionals[0]!.trim()) {
    const got = positionals.length > 1 ? `got ${positionals.length}: ${positionals.join(' ')}` : 'none given';
    throw new CliError(`notifier resolve: one notification ID, before or after the flags (${got}; see notifier help resolve)`);
  }
  const channel = channelFlag(required('resolve', 'channel', flags.channel));
  const as = required('resolve', 'as', flags.as).trim().toLowerCase() as Resolution;
  if (!RESOLUTIONS.includes(as)) throw new CliError(`--as: "${flags.as}" is not one of ${RESOLUTIONS.join(', ')}`);
  const note = flags.reason?.trim() ? bounded('reason', flags.reason.trim(), RESOLUTION_LIMITS.note) : undefined;
  const by = bounded('by', flags.by !== undefined ? required('resolve', 'by', flags.by).trim() : whoIsResolving(), RESOLUTION_LIMITS.by);
  const key = { notificationId: positionals[0]!, channel: channel.target ?? channel.channel };
  return { key, channel, resolution: as, by, ...(note && { note }), atMs };
}

/** The ledger's database: --mysql-url, else MYSQL_URL (or npm start's with --local); it must name a database. */
export function ledgerUrl(flag: string | undefined, configured: string | undefined): string {
  const url = flag ?? configured;
  if (url === undefined) throw new CliError('where is the ledger? pass --mysql-url <url>, set MYSQL_URL, or use --local for the npm start pipeline');
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'mysql:' || parsed.pathname.length < 2) {
    throw new CliError(`${flag !== undefined ? '--mysql-url' : 'MYSQL_URL'}: not a mysql://user:pass@host:port/database URL`);
  }
  return url;
}
