import { Notification } from '../codec/notification';
import { validateNotification } from '../codec/validate';
import { loadFailureStoreConfig } from '../config';
import type { DeliveryKey } from '../delivery/ports';
import { makeMysqlFailureStore } from '../failures/mysql-store';
import { timestampMicros } from '../failures/rebuild';
import { rebuilt, replayAttributes } from '../failures/replay-source';
import { FailureStore } from '../failures/store';
import { CliError } from './errors';
import { ChannelKey, openFailureStore } from './failure-flags';
import { formatProblems } from './report';

const DAY_MS = 86_400_000;

/** What `resolve --as resend` publishes: exactly what `notifier replay` would for this failure. */
export interface Resend {
  notification: Notification;
  attributes: Record<string, string>;
  /** When the failure was recorded (the dead letter's publish time), for the replay command. */
  failedAtMs: number;
}

/** Where the failure store is, as resolve was told: also what the printed replay command must say. */
export interface ResendSource {
  local?: boolean;
  dataset?: string;
  /** The ledger's database, and whether it came from --mysql-url (else MYSQL_URL or --local). */
  ledgerUrl: string;
  ledgerUrlFromFlag: boolean;
}

/** BigQuery when --dataset or (without --local) FAILURES_DATASET names it; else npm start's stand-in tables beside the ledger. */
const inBigQuery = (s: ResendSource, env: Record<string, string | undefined>) =>
  s.dataset !== undefined || (!s.local && loadFailureStoreConfig(env) !== undefined);

export function openResendStore(s: ResendSource, env: Record<string, string | undefined>): FailureStore {
  if (!inBigQuery(s, env)) return makeMysqlFailureStore(s.ledgerUrl);
  return openFailureStore(s.dataset !== undefined ? { dataset: s.dataset } : {}, env);
}

/**
 * The latest failure record of this ledger key since `since`, rebuilt and checked before
 * anything changes: a resend that could not be published is refused up front.
 */
export async function findResend(store: FailureStore, key: DeliveryKey, channel: ChannelKey, since: Date): Promise<Resend> {
  const what = `${key.notificationId} (${key.channel})`;
  const filters = { since, notificationId: key.notificationId, channel: channel.channel, ...(channel.target && { target: channel.target }) };
  // A plain channel key must not pick up a routed contact's record of the same notification.
  const records = (await store.replayCandidates(filters)).filter((r) => r.payload !== 'poison' && String(r.target ?? r.channel) === key.channel);
  const latest = records.at(-1);
  if (!latest) {
    throw new CliError(
      `notifier resolve: no dead-letter record of ${what} since ${since.toISOString()} in ${store.name}, so there is ` +
        'nothing to publish again; nothing was changed (resolve it as sent or failed, or find its record with notifier failures)',
    );
  }
  for await (const [, notification, carried] of rebuilt(store, since, [latest])) {
    if (notification instanceof Error) throw new CliError(`notifier resolve: cannot rebuild ${what}: ${notification.message}; nothing was changed`);
    const problems = validateNotification(notification);
    if (problems.length) {
      throw new CliError(`notifier resolve: ${what} as rebuilt from its dead letter is invalid; nothing was changed\n${formatProblems(problems).trimEnd()}`);
    }
    return { notification, attributes: replayAttributes(latest, carried), failedAtMs: Number(timestampMicros(latest.failed_at) / 1000n) };
  }
  throw new Error(`rebuilding ${what} yielded nothing`);
}

/** The dead letter is published just before the ledger writes `unknown`; a day covers clock skew. */
export const resendWindowStart = (updatedAt: Date) => new Date(updatedAt.getTime() - DAY_MS);

const quote = (s: string) => (/^[\w@%+=:,.\/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A URL for a message: the password, if any, replaced by *** (it would end up in terminals and logs). */
function masked(url: string): { text: string; masked: boolean } {
  const u = new URL(url);
  if (!u.password) return { text: url, masked: false };
  u.password = '***';
  return { text: u.toString(), masked: true };
}

/**
 * The `notifier replay` command that publishes exactly this resend: same failure store,
 * same Pub/Sub flags, one notification and ledger key, a window that includes its record.
 */
export function replayCommandFor(
  key: DeliveryKey,
  resend: Resend,
  nowMs: number,
  where: ResendSource & { project?: string; topic?: string; encoding?: string },
  env: Record<string, string | undefined>,
): string {
  const flags: string[] = [];
  if (where.local) flags.push('--local');
  for (const name of ['project', 'topic', 'encoding'] as const) if (where[name] !== undefined) flags.push(`--${name}`, quote(where[name]!));
  let note = '';
  if (where.dataset !== undefined) flags.push('--dataset', quote(where.dataset));
  else if (!inBigQuery(where, env) && where.ledgerUrlFromFlag) {
    const url = masked(where.ledgerUrl);
    flags.push('--mysql-url', quote(url.text));
    if (url.masked) note = ' (with your password in place of ***)';
  } else if (!inBigQuery(where, env) && !where.local) flags.push('--mysql-url', '"$MYSQL_URL"');
  const days = Math.max(1, Math.ceil((nowMs - resend.failedAtMs) / DAY_MS) + 1);
  flags.push('--notification', quote(key.notificationId), '--channel', key.channel, '--since', `${days}d`);
  return `notifier replay ${flags.join(' ')}${note}`;
}
