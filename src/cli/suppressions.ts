import os from 'node:os';
import { loadResolveConfig, loadSuppressionKey } from '../config';
import { AddressHasher, makeAddressHasher, SuppressionEntry, SuppressionStore } from '../delivery/suppression';
import {
  addressRequest, AddressRequest, addSuppression, auditedChange, describeProblem, listRequest, maskAddress, RequestProblem,
  SUPPRESSION_AUDIT_MESSAGE, SUPPRESSION_LIMITS, SuppressionAuditSubject,
} from '../http/suppressions';
import { createPool } from '../mysql/pool';
import { makeMysqlSuppressionStore } from '../mysql/suppressions';
import type { CliIo, Command } from './command';
import { CliError, EXIT, explainSchema } from './errors';
import { Flags, GLOBAL_OPTIONS, parseFlagsAndArguments } from './flags';
import { ledgerUrl } from './resolve-request';
import { formatTable } from './table';

const OPTIONS = {
  channel: { type: 'string' },
  address: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  limit: { type: 'string' },
  'mysql-url': { type: 'string' },
} as const;

type SuppressionFlags = Flags<typeof GLOBAL_OPTIONS & typeof OPTIONS>;
type Action = 'list' | 'check' | 'add' | 'remove';

/** The flags each action takes besides --mysql-url and --local. */
const ACTION_FLAGS: Readonly<Record<Action, readonly (keyof typeof OPTIONS)[]>> = {
  list: ['channel', 'limit'],
  check: ['channel', 'address'],
  add: ['channel', 'address', 'reason', 'by'],
  remove: ['channel', 'address', 'by'],
};

/** `cli:` + --by fits the entry's source column. */
const BY_LENGTH = SUPPRESSION_LIMITS.sourceLength - 'cli:'.length;

const USAGE = `notifier suppressions list [--channel EMAIL|SMS] [--limit <n>]
notifier suppressions check --channel EMAIL|SMS --address <address>
notifier suppressions add --channel EMAIL|SMS --address <address> [--reason manual|opt_out] [--by <name>]
notifier suppressions remove --channel EMAIL|SMS --address <address> [--by <name>]
  The suppression list: addresses nothing more is sent to (deliveries end suppressed,
  ADDRESS_SUPPRESSED). It keeps each address as an HMAC under SUPPRESSION_KEY, never in clear:
  list shows hashes, check tells whether one address is on it, add and remove change it and
  print one line (the address masked) and the audit line (JSON, on stderr).
  --channel <name>        EMAIL or SMS
  --address <address>     a mail address, or an E.164 phone number (+819012345678)
  --reason <reason>       add: manual (default) or opt_out; hard bounces and complaints come from
                          provider reports
  --by <name>             add, remove: who changes the list (default: your OS user name, from
                          os.userInfo()); the entry's source is cli:<name>
  --limit <n>             list: entries, newest first, 1 to ${SUPPRESSION_LIMITS.maxLimit} (default ${SUPPRESSION_LIMITS.defaultLimit})
  --mysql-url <url>       the notifier's database (default: env MYSQL_URL; with --local,
                          MYSQL_URL or mysql://root@127.0.0.1:3306/notifier, npm start's)
  SUPPRESSION_KEY must be the notifier's (gcloud secrets versions access latest
  --secret=notifier-suppression-key); --local uses the local key unless it is set.
  Examples:
    npm run notifier -- suppressions check --local --channel EMAIL --address a@example.com
    MYSQL_URL=… SUPPRESSION_KEY=… notifier suppressions add --channel SMS --address +819012345678 --reason opt_out --by alice`;

const MYSQL_TIMEOUT_MS = 10_000;

const usageError = (action: string, problem: string) => new CliError(`notifier suppressions ${action}: ${problem} (see notifier help suppressions)`);
const requiredFlag = (action: string, flag: string, value: string | undefined): string => {
  if (value === undefined || value.trim() === '') throw usageError(action, `--${flag} is required`);
  return value;
};
const flagProblem = (action: string, p: RequestProblem) => usageError(action, p.field === 'body' ? p.problem : `--${describeProblem(p)}`);

function operator(action: Action, flag: string | undefined): string {
  let name = flag !== undefined ? requiredFlag(action, 'by', flag).trim() : '';
  if (flag === undefined) {
    try {
      name = os.userInfo().username;
    } catch {
      // No passwd entry for this uid (some containers): then --by is required.
    }
    if (!name) throw new CliError('notifier suppressions: who is changing the list? os.userInfo() has no user name here; pass --by <name>');
  }
  if ([...name].length > BY_LENGTH) throw new CliError(`--by: ${[...name].length} characters; the list keeps at most ${BY_LENGTH}`);
  return name;
}

/** The address an action names, every flag checked before the database is opened; values never quoted. */
function addressFrom(action: Action, flags: SuppressionFlags): AddressRequest {
  const body: Record<string, unknown> = {
    channel: requiredFlag(action, 'channel', flags.channel).trim().toUpperCase(),
    address: requiredFlag(action, 'address', flags.address),
    ...(flags.reason !== undefined && { reason: flags.reason.trim().toLowerCase() }),
  };
  const request = addressRequest(body, { withReason: action === 'add' });
  if ('field' in request) throw flagProblem(action, request);
  return request;
}

const entryFacts = (e: SuppressionEntry) => `${e.reason} since ${e.createdAt}, by ${e.source}${e.mandatoryToo ? ', mandatory types too' : ''}`;

function listLines(entries: SuppressionEntry[], channel: string | undefined): string {
  if (entries.length === 0) return `no entries on the suppression list${channel ? ` for ${channel}` : ''}\n`;
  const rows = entries.map((e) => ({ created: e.createdAt, channel: e.channel, hash: e.addressHash, reason: e.reason, mandatory: e.mandatoryToo ? 'yes' : 'no', source: e.source, notification: e.notificationId }));
  return formatTable(rows, ['created', 'channel', 'hash', 'reason', 'mandatory', 'source', 'notification'], 64);
}

/** The audit line, as the API writes it, on stderr: stdout keeps the one line for people and scripts. */
const auditTo = (io: CliIo) => (fields: Record<string, unknown>) =>
  io.stderr.write(`${JSON.stringify({ severity: 'INFO', message: SUPPRESSION_AUDIT_MESSAGE, ...fields })}\n`);

async function change(action: 'add' | 'remove', r: AddressRequest, by: string, store: SuppressionStore, hash: AddressHasher, io: CliIo): Promise<string> {
  const key = hash(r.channel, r.address);
  const named = `${r.channel} ${maskAddress(r.channel, r.address)}`;
  const subject: SuppressionAuditSubject = { action: `suppression.${action}`, caller: by, via: 'cli', ...key };
  if (action === 'remove') {
    const removed = await auditedChange(auditTo(io), subject, () => store.remove(key), {
      done: (done) => ({ result: done ? 'removed' : 'not_suppressed' }),
      failed: () => ({ result: 'failed' }),
    });
    return removed ? `removed ${named} from the suppression list by ${by}` : `${named} was not on the suppression list; nothing changed`;
  }
  const reason = r.reason ?? 'manual';
  const added = await auditedChange(auditTo(io), subject, () => addSuppression(store, key, { reason, source: `cli:${by}` }), {
    done: (o) => ({ reason, result: o.added ? 'added' : 'already_suppressed' }),
    failed: () => ({ reason, result: 'failed' }),
  });
  if (!added.entry) throw new CliError(`notifier suppressions add: ${named} was removed while it was being added; run the command again`, EXIT.PUBLISH_FAILED);
  return added.added
    ? `added ${named} to the suppression list as ${reason} by ${by} (hash ${key.addressHash})`
    : `${named} is already on the suppression list (${entryFacts(added.entry)}): the first entry stands; nothing changed`;
}

/** A database without the list fails on the first statement: say what to do. */
const explained = explainSchema('notifier suppressions', {
  ER_NO_SUCH_TABLE: 'no suppressions table in that database: apply migration 0008 (npm run migrate)',
});

async function check(r: AddressRequest, store: SuppressionStore, hash: AddressHasher): Promise<string> {
  const named = `${r.channel} ${maskAddress(r.channel, r.address)}`;
  const key = hash(r.channel, r.address);
  const entry = await store.get(key);
  return entry ? `${named} is suppressed: ${entryFacts(entry)} (hash ${key.addressHash})` : `${named} is not on the suppression list`;
}

/** What the action will do once the database is open: every flag and the key are checked before. */
function plan(action: Action, flags: SuppressionFlags, io: CliIo): (store: SuppressionStore) => Promise<string> {
  if (action === 'list') {
    const request = listRequest({ channel: flags.channel?.trim().toUpperCase(), limit: flags.limit?.trim() });
    if ('field' in request) throw flagProblem(action, request);
    return async (store) => listLines(await store.list(request), request.channel);
  }
  const request = addressFrom(action, flags);
  const by = action === 'check' ? '' : operator(action, flags.by);
  const hash = makeAddressHasher(loadSuppressionKey(io.env, { local: flags.local }));
  if (action === 'check') return (store) => check(request, store, hash);
  return (store) => change(action, request, by, store, hash, io);
}

/** `notifier suppressions list|check|add|remove`: the suppression list, straight on the notifier's database. */
export async function runSuppressions(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlagsAndArguments('suppressions', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const action = positionals[0] as Action;
  if (positionals.length !== 1 || !Object.hasOwn(ACTION_FLAGS, action)) {
    throw new CliError('notifier suppressions: name one action, list, check, add or remove (see notifier help suppressions)');
  }
  const stray = (Object.keys(OPTIONS) as (keyof typeof OPTIONS)[]).find((f) => f !== 'mysql-url' && flags[f] !== undefined && !ACTION_FLAGS[action].includes(f));
  if (stray) throw usageError(action, `--${stray} does not apply`);
  const url = ledgerUrl(flags['mysql-url'], loadResolveConfig(io.env, { local: flags.local }).mysqlUrl);
  const act = plan(action, flags, io);
  const pool = createPool({ url, size: 2, timeoutMs: MYSQL_TIMEOUT_MS });
  const mysql = makeMysqlSuppressionStore(pool, { timeoutMs: MYSQL_TIMEOUT_MS });
  const store: SuppressionStore = {
    add: (k, e) => mysql.add(k, e).catch(explained),
    get: (k) => mysql.get(k).catch(explained),
    remove: (k) => mysql.remove(k).catch(explained),
    list: (o) => mysql.list(o).catch(explained),
  };
  try {
    io.stdout.write(`${(await act(store)).trimEnd()}\n`);
    return EXIT.OK;
  } finally {
    await pool.end();
  }
}

export const suppressionsCommand: Command = {
  name: 'suppressions',
  summary: 'the suppression list: list it, check an address, add or remove one',
  usage: USAGE,
  run: runSuppressions,
};
