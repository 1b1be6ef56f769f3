import { BroadcastError, BroadcastResult } from '../client';
import { broadcastIdProblem } from '../client/broadcast';
import type { CliIo, Command } from './command';
import { Connection, createPubSubClient, resolveConnection, withClient } from './connection';
import { briefly, CliError, EXIT } from './errors';
import { parseFlags, positiveNumber, required } from './flags';
import { openStream, readText, STDIN } from './input';
import { toNotificationInput } from './notification-json';
import { makeProgressReporter, perSecond } from './progress';
import { countRecipients, readRecipients, RecipientFormat, recipientFormat, RecipientRecord } from './recipients';
import { makeRejectionPrinter } from './rejections';
import { fillTemplate, parseTemplate } from './template';

const OPTIONS = {
  id: { type: 'string' },
  recipients: { type: 'string' },
  template: { type: 'string' },
  format: { type: 'string' },
  rate: { type: 'string' },
  'max-outstanding': { type: 'string' },
  key: { type: 'string' },
} as const;

const USAGE = `notifier broadcast --id <broadcast-id> --recipients <file.csv|file.ndjson|-> --template <template.json>
  Publishes one notification per recipient. Each notification ID is derived from the
  broadcast ID and the recipient's key, so running the same command again (after a
  failure, or by mistake) notifies no one twice.
  --id <id>                 names the broadcast (at most 64 characters); reuse it to resume
  --recipients <path|->     CSV with a header line, or NDJSON (one JSON object per line);
                            - reads standard input (then no total or ETA is shown)
  --template <path|->      a notification as JSON without notificationId; string values may
                            hold {{column}} placeholders, filled from each recipient's fields:
                            HTML-escaped in email.html; JSON-escaped in webhook.payload_json,
                            where each must sit inside a string value ("{{column}}"); in
                            webhook.url and content.url the whole URL as it is, or percent-
                            encoded after the host; everywhere else as they are
  --format csv|ndjson       default: from the file extension (.csv, .ndjson, .jsonl)
  --key <column>            identifies a recipient (default: id if there is such a column,
                            else email)
  --rate <n>                at most n publishes per second
  --max-outstanding <n>     at most n publishes awaiting Pub/Sub's answer (default 1000)
  Rejected recipients (invalid notification) are listed on stderr, skipped, and do not
  change the exit code.
  Example:
    notifier broadcast --project my-project --id spring-sale-2025 \\
      --recipients customers.csv --template spring-sale.json --rate 500
    where spring-sale.json is
      {"type": "promo.spring", "channel": "EMAIL",
       "email": {"to": "{{email}}", "subject": "Hello {{name}}", "text": "Spring sale!"}}`;

interface Plan {
  broadcastId: string;
  recipients: string;
  template: string;
  format: RecipientFormat;
  ratePerSecond?: number;
  maxOutstanding?: number;
  key?: string;
}

function planFrom(flags: Partial<Record<keyof typeof OPTIONS, string>>): Plan {
  const broadcastId = required('broadcast', 'id', flags.id);
  // The client's own check, so a bad ID is a usage error before anything is read.
  const problem = broadcastIdProblem(broadcastId);
  if (problem) throw new CliError(`--id: ${problem}`);
  const recipients = required('broadcast', 'recipients', flags.recipients);
  const template = required('broadcast', 'template', flags.template);
  if (recipients === STDIN && template === STDIN) throw new CliError('--recipients and --template cannot both read standard input');
  if (flags.key !== undefined && !flags.key.trim()) throw new CliError('--key: must name a column');
  return {
    broadcastId,
    recipients,
    template,
    format: recipientFormat(recipients, flags.format),
    ratePerSecond: positiveNumber('rate', flags.rate, false),
    maxOutstanding: positiveNumber('max-outstanding', flags['max-outstanding'], true),
    key: flags.key,
  };
}

/**
 * The recipient's key: the `--key` column, else `id` if the first record has one, else
 * `email`. An empty key is an error, not a skip: recipients sharing a key would share
 * one notification ID, and all but one would silently get nothing.
 */
export function makeKeyOf(keyFlag: string | undefined): (r: RecipientRecord) => string {
  let column = keyFlag;
  return (r) => {
    column ??= ['id', 'email'].find((c) => Object.hasOwn(r.fields, c));
    if (!column) throw new CliError('recipients have neither an "id" nor an "email" column: pass --key <column>');
    const value = Object.hasOwn(r.fields, column) ? r.fields[column] : undefined;
    if ((typeof value !== 'string' && typeof value !== 'number') || !String(value).trim()) {
      throw new CliError(`record ${r.number}: key column "${column}" is missing or empty`);
    }
    return String(value);
  };
}

/** `broadcast spring: read 3, published 2, rejected 1 in 0.4 s (5/s)` and the reassurance. */
export function formatSummary(broadcastId: string, r: BroadcastResult): string {
  return (
    `broadcast ${broadcastId}: read ${r.read}, published ${r.published}, rejected ${r.rejected} ` +
    `in ${(r.elapsedMs / 1000).toFixed(1)} s (${perSecond(r.published, r.elapsedMs)}/s)\n` +
    'Re-running the same command is safe: no one is notified twice.\n'
  );
}

async function expectedTotal(plan: Plan, io: CliIo): Promise<number | undefined> {
  if (plan.recipients === STDIN) return undefined;
  return countRecipients(await openStream(plan.recipients, io.stdin, 'recipients'), plan.format, plan.recipients);
}

/** An input error after the first records: say what happened to those. */
function midwayError(err: unknown, built: number): unknown {
  if (!(err instanceof CliError) || built === 0) return err;
  return new CliError(
    `${err.message}\nThe records before it may have been published. Fix the input and run the same ` +
      'command again: no one is notified twice.',
    err.exitCode,
  );
}

/** Streams the recipients through the client's broadcast, showing progress on stderr. */
async function publishAll(plan: Plan, connection: Connection, io: CliIo): Promise<BroadcastResult> {
  const template = parseTemplate(await readText(plan.template, io.stdin, 'template'), plan.template);
  const total = await expectedTotal(plan, io);
  const where = plan.recipients === STDIN ? 'standard input' : plan.recipients;
  const input = await openStream(plan.recipients, io.stdin, 'recipients');
  const progress = makeProgressReporter(io.stderr, { broadcastId: plan.broadcastId, total, now: io.now ?? Date.now });
  const rejections = makeRejectionPrinter(progress.log);
  let built = 0;
  const build = (r: RecipientRecord) => {
    const notification = toNotificationInput(fillTemplate(template, r.fields, r.number));
    built++;
    return notification;
  };
  try {
    return await withClient(io.createClient ?? createPubSubClient, connection, (client) =>
      client.broadcast<RecipientRecord>({
        broadcastId: plan.broadcastId,
        recipients: readRecipients(input, plan.format, where),
        build,
        keyOf: makeKeyOf(plan.key),
        maxOutstanding: plan.maxOutstanding,
        ratePerSecond: plan.ratePerSecond,
        onProgress: progress.update,
        onRejected: rejections.onRejected,
      }),
    );
  } catch (err) {
    if (err instanceof BroadcastError) throw new CliError(briefly(err.message), EXIT.PUBLISH_FAILED);
    throw midwayError(err, built);
  } finally {
    progress.finish();
    rejections.finish();
    // Already closed unless the broadcast never started reading (no emulator, say).
    if (plan.recipients !== STDIN) input.destroy();
  }
}

/** `notifier broadcast`: stream recipients, fill the template, publish with resumable IDs. */
export async function runBroadcast(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags('broadcast', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const connection = resolveConnection(flags, io.env);
  const plan = planFrom(flags);
  const result = await publishAll(plan, connection, io);
  io.stdout.write(formatSummary(plan.broadcastId, result));
  return EXIT.OK;
}

/** The command table entry for `broadcast`. */
export const broadcastCommand: Command = {
  name: 'broadcast',
  summary: 'publish one notification per recipient of a CSV or NDJSON file',
  usage: USAGE,
  run: runBroadcast,
};
