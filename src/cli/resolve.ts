import { loadResolveConfig } from '../config';
import type { DeliveryKey } from '../delivery/ports';
import { createPool } from '../mysql/pool';
import { makeMysqlResolutions, RESOLUTION_LIMITS, RESOLVED_STATUS, ResolvableRow, Resolutions } from '../mysql/resolutions';
import type { CliIo, Command } from './command';
import { CliClient, Connection, createPubSubClient, requireSigningKey, resolveConnection, withClient } from './connection';
import { keyFacts } from '../delivery/events';
import { makePublicTarget } from '../delivery/routing';
import { toEvent } from '../pubsub/events';
import { loadSuppressionKey } from '../config/suppressions';
import { briefly, CliError, EXIT, explainSchema, NO_LEDGER } from './errors';
import { Flags, GLOBAL_OPTIONS, parseFlagsAndArguments } from './flags';
import { ledgerUrl, ResolveRequest, requestFrom } from './resolve-request';
import { findResend, openResendStore, replayCommandFor, resendWindowStart, ResendSource } from './resend';

const OPTIONS = {
  channel: { type: 'string' },
  as: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  'mysql-url': { type: 'string' },
  dataset: { type: 'string' },
} as const;

const USAGE = `notifier resolve <notificationId> --channel <channel> --as sent|failed|resend [--reason <text>] [--by <name>]
  Settles a send the notifier could not know the outcome of (ledger status unknown, dead-lettered
  as SEND_OUTCOME_UNKNOWN): check the provider's own logs first, then resolve it
    --as sent     the provider accepted it: the row becomes sent; nothing is published
    --as failed   it never arrived and is not to be sent: the row becomes failed
    --as resend   it never arrived, send it now: the row becomes failed, then the notification is
                  published again from its dead letter as notifier replay does (notifier_replay_of),
                  and the notifier sends it once (a replay: it counts against MAX_REPLAYS)
  Only an unknown row can be resolved, and only once. The ledger row records who, when (UTC),
  as what and why; the line printed says the same. With EVENTS_TOPIC (or --local) it is also
  published as a \`resolved\` lifecycle event (SUPPRESSION_KEY keys a contact's target there).
  --channel <name>        the ledger key's channel: EMAIL, SMS, …; a routed contact as EMAIL:0a1b2c3d
  --as <resolution>       sent, failed or resend
  --reason <text>         why, e.g. the provider's log reference (at most ${RESOLUTION_LIMITS.note} characters)
  --by <name>             who resolves it (default: your OS user name, from os.userInfo())
  --mysql-url <url>       the notifier's ledger database (default: env MYSQL_URL; with --local,
                          MYSQL_URL or mysql://root@127.0.0.1:3306/notifier, npm start's)
  --dataset <p.d>         resend: BigQuery project.dataset of the dead letters (default: env
                          FAILURES_DATASET); else npm start's stand-in tables in the ledger's database
  Resend publishes where --project/--topic/--encoding (or --local) say, like notifier replay; if
  that fails, the row stays resolved and the error prints the notifier replay command to run.
  Examples:
    npm run notifier -- resolve order-42 --local --channel EMAIL --as resend --reason "no 250 reply in the SMTP log"
    MYSQL_URL=… notifier resolve order-43 --channel EMAIL:0a1b2c3d --as sent --reason "provider id 0f3c9a"`;

const MYSQL_TIMEOUT_MS = 10_000;

/** A ledger the resolution columns were not added to fails on the first read: say what to do. */
const explained = explainSchema('notifier resolve', {
  ER_BAD_FIELD_ERROR: 'the ledger has no resolution columns: apply migration 0005 (npm run migrate)',
  ER_NO_SUCH_TABLE: NO_LEDGER,
});

function openResolutions(url: string): Resolutions & { close(): Promise<void> } {
  const pool = createPool({ url, size: 2, timeoutMs: MYSQL_TIMEOUT_MS });
  const ledger = makeMysqlResolutions(pool, { timeoutMs: MYSQL_TIMEOUT_MS });
  return { find: (key) => ledger.find(key).catch(explained), resolve: ledger.resolve, close: () => pool.end() };
}

const describe = (k: DeliveryKey) => `${k.notificationId} (${k.channel})`;

/** Why this row cannot be resolved: its status, and an earlier resolution if there was one. */
function notResolvable(key: DeliveryKey, row: ResolvableRow | undefined): CliError {
  if (!row) return new CliError(`notifier resolve: no ledger row for ${describe(key)}: check the notification ID and --channel (notifier failures --list shows both)`);
  const r = row.resolved;
  if (!r) return new CliError(`notifier resolve: ${describe(key)} is ${row.status}, not unknown: only an unknown send outcome can be resolved`);
  const note = r.note ? ` (reason: ${r.note})` : '';
  return new CliError(
    `notifier resolve: ${describe(key)} was already resolved as ${r.resolution} by ${r.by} at ${r.at.toISOString()}${note}; ` +
      `its status is ${row.status}, and only an unknown send outcome can be resolved`,
  );
}

/**
 * The resolution as a lifecycle event (`resolved`, its code the resolution) when EVENTS_TOPIC
 * (or `--local`) names the events topic. Best effort: the ledger's history has the resolution
 * whatever happens here, so a failure is said on stderr and changes nothing else.
 */
async function announce(req: ResolveRequest, flags: ResolveFlags, io: CliIo, client?: CliClient): Promise<void> {
  let connection: Connection;
  try {
    connection = resolveConnection(flags, io.env);
  } catch {
    return; // no project named: nowhere to publish
  }
  const topic = connection.eventsTopic;
  if (!topic) return;
  try {
    const publicTarget = makePublicTarget(loadSuppressionKey(io.env, { local: flags.local }));
    const event = toEvent({ ...keyFacts(req.key, 'resolved', `resolve:${req.atMs}`), code: req.resolution }, req.atMs, publicTarget);
    if (client) await client.publishEvent(topic, event);
    else await withClient(io.createClient ?? createPubSubClient, connection, (c) => c.publishEvent(topic, event));
  } catch (err) {
    io.stderr.write(`notifier resolve: the resolved event was not published to ${topic}: ${briefly((err as Error).message)}; the ledger has the resolution\n`);
  }
}

/** The one conditional write; losing it (a concurrent resolve, a status change) is reported as what the row is now. */
async function settle(resolutions: Resolutions, req: ResolveRequest): Promise<string> {
  const won = await resolutions.resolve(req.key, { resolution: req.resolution, by: req.by, atMs: req.atMs, ...(req.note && { note: req.note }) });
  if (!won) throw notResolvable(req.key, await resolutions.find(req.key));
  const reason = req.note ? `; reason: ${req.note}` : '';
  return `resolved ${describe(req.key)} as ${req.resolution} by ${req.by} at ${new Date(req.atMs).toISOString()}: unknown → ${RESOLVED_STATUS[req.resolution]}${reason}\n`;
}

type ResolveFlags = Flags<typeof GLOBAL_OPTIONS & typeof OPTIONS>;

/** Resend: rebuild first (nothing changes if that fails), then the ledger update, then the publish. */
async function resolveAndResend(req: ResolveRequest, row: ResolvableRow, flags: ResolveFlags, source: ResendSource, io: CliIo, resolutions: Resolutions): Promise<number> {
  const { maxReplays } = loadResolveConfig(io.env, { local: flags.local });
  if (row.replays >= maxReplays) {
    throw new CliError(
      `notifier resolve: ${describe(req.key)} was reopened by ${row.replays} replays already and the notifier refuses more than ` +
        `MAX_REPLAYS (${maxReplays}; set MAX_REPLAYS to the notifier's if it differs), so a resend would never be sent; nothing was changed`,
    );
  }
  const connection = resolveConnection(flags, io.env);
  requireSigningKey(connection, 'notifier resolve --as resend');
  const store = io.failureStore ?? openResendStore(source, io.env);
  try {
    const resend = await findResend(store, req.key, req.channel, resendWindowStart(row.updatedAt));
    let resolved = false;
    let messageId: string | undefined;
    try {
      await withClient(io.createClient ?? createPubSubClient, connection, async (client) => {
        io.stdout.write(await settle(resolutions, req));
        resolved = true;
        await announce(req, flags, io, client);
        messageId = await client.republish(resend.notification, resend.attributes);
      });
    } catch (err) {
      if (!resolved) throw err;
      if (messageId === undefined) {
        const command = replayCommandFor(req.key, resend, (io.now ?? Date.now)(), { ...source, ...flags }, io.env);
        throw new CliError(
          `notifier resolve: publishing ${describe(req.key)} again failed: ${briefly((err as Error).message)}\n` +
            `The ledger keeps the resolution (status failed, for one replay to reopen). Nothing is lost: publish it with\n  ${command}`,
          EXIT.PUBLISH_FAILED,
        );
      }
      // Published: a failure to close the client afterwards changes nothing.
    }
    io.stdout.write(
      `published ${describe(req.key)} again to ${connection.topic} as message ${messageId} ` +
        `(notifier_replay_of=${resend.attributes.notifier_replay_of}); the notifier sends it once\n`,
    );
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

/** `notifier resolve`: settle an unknown send outcome in the ledger, and for resend publish it again. */
export async function runResolve(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlagsAndArguments('resolve', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const req = requestFrom(flags, positionals, (io.now ?? Date.now)());
  const url = ledgerUrl(flags['mysql-url'], loadResolveConfig(io.env, { local: flags.local }).mysqlUrl);
  const resolutions = io.resolutions ?? openResolutions(url);
  try {
    const row = await resolutions.find(req.key);
    if (row?.status !== 'unknown') throw notResolvable(req.key, row);
    if (req.resolution === 'resend') {
      const source = { local: flags.local, dataset: flags.dataset, ledgerUrl: url, ledgerUrlFromFlag: flags['mysql-url'] !== undefined };
      return await resolveAndResend(req, row, flags, source, io, resolutions);
    }
    io.stdout.write(await settle(resolutions, req));
    await announce(req, flags, io);
    return EXIT.OK;
  } finally {
    await resolutions.close();
  }
}

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'settle a send whose outcome is unknown: as sent, failed, or resend it',
  usage: USAGE,
  run: runResolve,
};
