import { loadResolveConfig } from '../config';
import type { Row } from '../failures/store';
import type { AccountPage, DeliveryStatusView, StatusStore } from '../http/status';
import { encodePageToken, notificationBody, notificationIdProblem, pageRequest, STATUS_LIMITS } from '../http/status';
import { accountIdProblem } from '../http/settings';
import { createPool } from '../mysql/pool';
import { makeMysqlStatusStore } from '../mysql/status-store';
import type { CliIo, Command } from './command';
import { CliError, EXIT, explainSchema, NO_LEDGER } from './errors';
import { openResendStore } from './resend';
import { GLOBAL_OPTIONS, Flags, parseFlagsAndArguments } from './flags';
import { ledgerUrl } from './resolve-request';

const OPTIONS = {
  account: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  'page-token': { type: 'string' },
  'mysql-url': { type: 'string' },
  dataset: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const USAGE = `notifier status <notificationId>
notifier status --account <accountId> [--since <date>] [--limit <n>] [--page-token <token>]
  What happened to a notification: each delivery (channel, or a routed notification's contact)
  with its status, attempts, provider message ID and every state change with its time (UTC);
  a notification rejected before any send (invalid, unknown channel…) shows its dead letter.
  With --account: the account's deliveries, newest first, one page at a time.
  --since <date>          --account: from this date or time (default: ${STATUS_LIMITS.defaultSinceDays} days ago)
  --limit <n>             --account: deliveries per page, 1 to ${STATUS_LIMITS.maxLimit} (default ${STATUS_LIMITS.defaultLimit})
  --page-token <token>    --account: the next page, as the previous page printed it
  --mysql-url <url>       the notifier's ledger database (default: env MYSQL_URL; with --local,
                          MYSQL_URL or mysql://root@127.0.0.1:3306/notifier, npm start's)
  --dataset <p.d>         BigQuery project.dataset of the dead letters, for rejected notifications
                          (default: env FAILURES_DATASET); else npm start's stand-in tables
  --json                  the status API's JSON instead of text
  Examples:
    npm run notifier -- status order-42 --local
    MYSQL_URL=… notifier status --account acct-7 --since 2026-12-01`;

const MYSQL_TIMEOUT_MS = 10_000;
const DAY_MS = 86_400_000;

type StatusFlags = Flags<typeof GLOBAL_OPTIONS & typeof OPTIONS>;

/** One delivery as lines: the summary, then each state change. */
function deliveryLines(d: DeliveryStatusView, withId: boolean): string[] {
  const facts = [
    `attempts ${d.attempts}`,
    d.code && `code ${d.code}`,
    d.providerMessageId && `provider ${d.providerMessageId}`,
    d.template && `template ${d.template}`,
    d.releaseAt && `release at ${d.releaseAt}`,
    d.resolution && `resolved ${d.resolution}`,
    d.replays && `replays ${d.replays}`,
  ].filter(Boolean);
  const name = `${withId ? `${d.notificationId} ` : ''}${d.target ?? d.channel}`;
  const head = `${name}: ${d.status} (${facts.join(', ')})${withId ? ` ${d.type} created ${d.createdAt}` : ''}`;
  return [head, ...d.events.map((e) => `  ${e.at}  ${e.event}${e.code ? ` ${e.code}` : ''}`)];
}

/** A rejected notification's dead letters: it never reached the ledger. */
const rejectionLines = (rows: Row[]) =>
  rows.map((r) => `${String(r.channel || '-')}: dead-lettered before any send: ${String(r.failure_code)}${r.error ? `: ${String(r.error)}` : ''} (at ${new Date(r.failed_at as string).toISOString()})`);

async function showNotification(id: string, store: StatusStore, flags: StatusFlags, url: string, io: CliIo): Promise<number> {
  const problem = notificationIdProblem(id);
  if (problem) throw new CliError(`notifier status: notificationId ${problem}`);
  const deliveries = await store.notification(id);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(notificationBody(id, deliveries), null, 2)}\n`);
    return EXIT.OK;
  }
  if (deliveries.length > 0) {
    io.stdout.write(`${id}: ${deliveries[0]!.type}\n${deliveries.flatMap((d) => deliveryLines(d, false)).join('\n')}\n`);
    return EXIT.OK;
  }
  const failures = io.failureStore ?? openResendStore({ local: flags.local, dataset: flags.dataset, ledgerUrl: url, ledgerUrlFromFlag: flags['mysql-url'] !== undefined }, io.env);
  try {
    const since = new Date((io.now ?? Date.now)() - STATUS_LIMITS.defaultSinceDays * DAY_MS);
    const rows = await failures.list({ since, notificationId: id });
    const lines = rows.length > 0
      ? rejectionLines(rows)
      : [`no delivery of ${id} is recorded, and no dead letter in the last ${STATUS_LIMITS.defaultSinceDays} days: not received yet, or published elsewhere (check the topic and project the producer used)`];
    io.stdout.write(`${id}:\n${lines.join('\n')}\n`);
  } finally {
    await failures.close();
  }
  return EXIT.OK;
}

async function showAccount(accountId: string, store: StatusStore, flags: StatusFlags, io: CliIo): Promise<number> {
  const problem = accountIdProblem(accountId);
  if (problem) throw new CliError(`notifier status: --account ${problem}`);
  const request = pageRequest({ since: flags.since, limit: flags.limit, pageToken: flags['page-token'] }, (io.now ?? Date.now)());
  if ('problem' in request) throw new CliError(`notifier status: ${request.problem.replace(/^(\w+)/, (f) => `--${f === 'pageToken' ? 'page-token' : f}`)}`);
  const page: AccountPage = await store.accountPage(accountId, request);
  const next = page.next && encodePageToken(page.next);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ accountId, deliveries: page.deliveries, ...(next && { nextPageToken: next }) }, null, 2)}\n`);
    return EXIT.OK;
  }
  const lines = page.deliveries.length > 0 ? page.deliveries.flatMap((d) => deliveryLines(d, true)) : [`no deliveries of account ${accountId} since ${new Date(request.sinceMs).toISOString()}`];
  if (next) lines.push(`more: notifier status --account ${accountId} --page-token ${next}${flags.since ? ` --since ${flags.since}` : ''}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.OK;
}

/** A ledger without the history column fails on the first read: say what to do. */
const explained = explainSchema('notifier status', {
  ER_BAD_FIELD_ERROR: 'the ledger has no history column: apply migration 0007 (npm run migrate)',
  ER_NO_SUCH_TABLE: NO_LEDGER,
});

/** `notifier status`: a notification's deliveries and their history, or an account's page of them. */
export async function runStatus(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlagsAndArguments('status', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const id = positionals[0];
  if ((id === undefined) === (flags.account === undefined) || positionals.length > 1) {
    throw new CliError('notifier status: name one notification ID, or --account <accountId>, not both');
  }
  const url = ledgerUrl(flags['mysql-url'], loadResolveConfig(io.env, { local: flags.local }).mysqlUrl);
  const pool = createPool({ url, size: 2, timeoutMs: MYSQL_TIMEOUT_MS });
  const mysql = makeMysqlStatusStore(pool, { timeoutMs: MYSQL_TIMEOUT_MS });
  const store: StatusStore = {
    notification: (n) => mysql.notification(n).catch(explained),
    accountPage: (a, r) => mysql.accountPage(a, r).catch(explained),
  };
  try {
    return id !== undefined ? await showNotification(id, store, flags, url, io) : await showAccount(flags.account!, store, flags, io);
  } finally {
    await pool.end();
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: "what happened to a notification (or an account's notifications): each delivery and its history",
  usage: USAGE,
  run: runStatus,
};
