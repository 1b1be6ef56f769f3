import { randomUUID } from 'node:crypto';
import { InvalidNotificationError, NotificationInput } from '../client';
import { channelName } from '../codec/notification';
import { MESSAGES } from '../channels/messages';
import { toNotification } from '../client/notification-input';
import type { CliIo, Command } from './command';
import { CliClient, createPubSubClient, resolveConnection, withClient } from './connection';
import { parseDuration } from './duration';
import { briefly, CliError, EXIT } from './errors';
import { parseFlags, required } from './flags';
import { readText } from './input';
import { parseNotificationFile } from './notification-json';
import { reportInvalid } from './report';

const OPTIONS = {
  file: { type: 'string' },
  id: { type: 'string' },
  type: { type: 'string' },
  channel: { type: 'string' },
  account: { type: 'string' },
  to: { type: 'string' },
  subject: { type: 'string' },
  text: { type: 'string' },
  html: { type: 'string' },
  payload: { type: 'string' },
  template: { type: 'string' },
  data: { type: 'string' },
  locale: { type: 'string' },
  'expires-in': { type: 'string' },
} as const;

type PublishFlags = Partial<Record<Exclude<keyof typeof OPTIONS, 'file' | 'data'>, string>>;

const USAGE = `notifier publish  (--file <notification.json|-> | --type <type> [flags])
  Publishes one notification and prints its notification ID and Pub/Sub message ID.
  --file <path|->         a notification as JSON (camelCase or proto snake_case keys, dates as
                          ISO 8601); - reads standard input
  --id <id>               notification ID, the idempotency key (default: a random UUID)
  --type <type>           what happened, e.g. order.shipped (required without --file)
  --channel <name>        EMAIL (default), SMS, PUSH, SLACK, LINE, WEBHOOK
  --account <id>          account ID
  --to <recipient>        email address, E.164 phone number (SMS), device token (PUSH), LINE ID,
                          Slack channel (optional) or webhook URL
  --subject <text>        email subject, or push title
  --text <text>           email text, SMS body, push body, Slack or LINE text
  --html <html>           email HTML
  --payload <json>        webhook payload (a JSON document)
  --template <id[@n]>     render this template of the notifier's catalogue instead of --subject,
                          --text, --html (--to names the recipient); with --account and no
                          --channel, routed to the account's channels
  --data <file.json|->    the template's variables, a JSON object (default {})
  --locale <tag>          render in this locale when the account has none, e.g. ja-JP
  --expires-in <duration> not sent after this long, e.g. 30m, 2h, 1d
  Examples:
    npm run notifier -- publish --local --type demo.hello --to you@example.com --subject Hello --text "It works"
    notifier publish --type otp.sent --channel SMS --to +819012345678 --text "Your code is 1234"
    notifier publish --type order.shipped --account acct-7 --template order.shipped --data order.json
    notifier publish --project my-project --file notification.json`;

/** `--channel 1` means the enum number, anything else a name for the validator to check. */
function channelFlag(value: string | undefined): NotificationInput['channel'] {
  if (value === undefined) return 'EMAIL';
  return /^\d+$/.test(value) ? Number(value) : (value as NotificationInput['channel']);
}

/**
 * What --to, --subject, --text, --html and --payload mean on the channel (its message's
 * `fromFlags`). A payload is built even when flags are missing, so the validator names each
 * missing field.
 */
function payloadFromFlags(channel: NotificationInput['channel'], f: PublishFlags): Partial<NotificationInput> {
  const name = typeof channel === 'number' ? channelName(channel) : String(channel).toUpperCase();
  const message = MESSAGES.find((m) => m.name === name);
  return message ? { [message.field]: message.fromFlags(f) } : {};
}

/** The notification described by flags; the validator, not this function, judges its values. */
export function notificationFromFlags(flags: PublishFlags, nowMs: number, data?: Record<string, unknown>): NotificationInput {
  // A template with an account and no channel is routed; text has no such default.
  const routed = flags.template !== undefined && flags.account !== undefined && flags.channel === undefined;
  const channel = routed ? undefined : channelFlag(flags.channel);
  const input: NotificationInput = {
    notificationId: flags.id ?? randomUUID(),
    type: required('publish', 'type', flags.type),
    channel,
    ...(channel !== undefined && payloadFromFlags(channel, flags)),
  };
  if (flags.template !== undefined) {
    input.template = templateFlag(flags.template);
    input.data = data ?? {};
  }
  if (flags.locale !== undefined) input.locale = flags.locale;
  if (flags.account !== undefined) input.accountId = flags.account;
  if (flags['expires-in'] !== undefined) input.expiresAt = new Date(nowMs + parseDuration(flags['expires-in'], 'expires-in'));
  return input;
}

/** `order.shipped` or `order.shipped@2` (template IDs hold no `@`). */
function templateFlag(value: string): { id: string; version?: number } {
  const at = value.lastIndexOf('@');
  if (at < 0) return { id: value };
  const version = value.slice(at + 1);
  if (!/^[1-9]\d{0,9}$/.test(version)) throw new CliError(`notifier publish: --template ${value}: the version after @ must be a positive integer`);
  return { id: value.slice(0, at), version: Number(version) };
}

/** --data: a JSON object from a file or standard input. */
async function readData(path: string, io: CliIo): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await readText(path, io.stdin, 'data'));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`notifier publish: --data ${path}: not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`notifier publish: --data ${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

async function readNotification(flags: PublishFlags & { file?: string; data?: string }, io: CliIo): Promise<NotificationInput> {
  if (flags.file === undefined) {
    const { data, ...rest } = flags;
    if (data !== undefined && rest.template === undefined) throw new CliError('notifier publish: --data needs --template');
    return notificationFromFlags(rest, (io.now ?? Date.now)(), data === undefined ? undefined : await readData(data, io));
  }
  const { file, ...others } = flags;
  const extra = Object.keys(others).filter((k) => Object.hasOwn(OPTIONS, k));
  if (extra.length) throw new CliError(`notifier publish: --file cannot be combined with --${extra.join(', --')}`);
  const where = file === '-' ? 'standard input' : file;
  return parseNotificationFile(await readText(file, io.stdin, 'file'), where);
}

async function publishOne(client: CliClient, input: NotificationInput): Promise<string> {
  try {
    return await client.publish(input);
  } catch (err) {
    if (err instanceof InvalidNotificationError) throw err;
    throw new CliError(`publishing failed: ${briefly((err as Error).message)}`, EXIT.PUBLISH_FAILED);
  }
}

/** `notifier publish`: one notification, from a file or from flags. */
export async function runPublish(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags('publish', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const connection = resolveConnection(flags, io.env);
  const input = await readNotification(flags, io);
  try {
    // Checked before connecting as well: an invalid notification is reported as such even
    // when Pub/Sub is unreachable. The client checks again, with the same validator.
    toNotification(input, { source: connection.source ?? '', nowMs: (io.now ?? Date.now)() });
    const messageId = await withClient(io.createClient ?? createPubSubClient, connection, (c) => publishOne(c, input));
    io.stdout.write(`published notification ${input.notificationId} as Pub/Sub message ${messageId}\n`);
    return EXIT.OK;
  } catch (err) {
    if (reportInvalid(err, `notification ${input.notificationId} is invalid, nothing was published:`, io.stderr)) {
      return EXIT.USAGE;
    }
    throw err;
  }
}

/** The command table entry for `publish`. */
export const publishCommand: Command = { name: 'publish', summary: 'publish one notification', usage: USAGE, run: runPublish };
