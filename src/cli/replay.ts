import { InvalidNotificationError } from '../client';
import { REPLAY_OF_ATTRIBUTE as REPLAY_ATTRIBUTE } from '../codec/attributes';
import { rebuilt, replayAttributes } from '../failures/replay-source';
import { FailureStore, Row } from '../failures/store';
import { FailureFilters } from '../failures/filters';
import type { CliIo, Command } from './command';
import { CliClient, createPubSubClient, requireSigningKey, resolveConnection, withClient } from './connection';
import { briefly, CliError, EXIT } from './errors';
import { FAILURE_FLAGS_USAGE, FAILURE_OPTIONS, filtersFrom, openFailureStore } from './failure-flags';
import { parseFlags, positiveNumber } from './flags';
import { formatProblems } from './report';
import { formatTable } from './table';

const OPTIONS = { ...FAILURE_OPTIONS, rate: { type: 'string' } } as const;

const USAGE = `notifier replay [filters] [--dry-run] [--limit n] [--rate n]
  Publishes the failed notifications the filters select again, to the notifications topic,
  with their original notification IDs and the attribute ${REPLAY_ATTRIBUTE}. The notifier
  sends one only if its ledger row is still failed: a notification that was sent is never
  sent again, and one replayed too often (MAX_REPLAYS) is refused.
${FAILURE_FLAGS_USAGE}
  --dry-run               print how many would be replayed and a sample; publish nothing
  --rate <n>              at most n publishes per second
  Publishes where --project/--topic/--encoding (or --local) say, like notifier publish.
  Example:
    npm run notifier -- replay --local --code ATTEMPTS_EXHAUSTED --dry-run`;

const POISON_EXPLANATION =
  'cannot be replayed: their payloads never decoded as a Notification, so there is no ' +
  'notification ID or channel to deliver them under. Fix the producer and publish them again.';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tally {
  replayed: number;
  skipped: string[];
}

async function replayAll(client: CliClient, store: FailureStore, f: FailureFilters, selected: Row[], rate?: number): Promise<Tally> {
  const tally: Tally = { replayed: 0, skipped: [] };
  const started = Date.now();
  for await (const [candidate, notification, carried] of rebuilt(store, f.since, selected)) {
    const what = `${candidate.notification_id} (${candidate.channel})`;
    if (notification instanceof Error) {
      tally.skipped.push(`${what}: ${notification.message}`);
      continue;
    }
    if (rate) await sleep(Math.max(0, started + (tally.replayed * 1000) / rate - Date.now()));
    try {
      await client.republish(notification, replayAttributes(candidate, carried));
      tally.replayed++;
    } catch (err) {
      if (!(err instanceof InvalidNotificationError)) {
        throw new CliError(`publishing failed after ${tally.replayed} replays: ${briefly((err as Error).message)}`, EXIT.PUBLISH_FAILED);
      }
      tally.skipped.push(`${what}: still invalid\n${formatProblems(err.problems).trimEnd()}`);
    }
  }
  return tally;
}

/** `notifier replay`: publish failed notifications again, for the ledger to decide. */
export async function runReplay(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags('replay', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const filters = filtersFrom(flags, (io.now ?? Date.now)());
  const rate = positiveNumber('rate', flags.rate, false);
  const connection = resolveConnection(flags, io.env);
  const store = io.failureStore ?? openFailureStore(flags, io.env);
  try {
    const candidates = await store.replayCandidates(filters);
    const poison = candidates.filter((r) => r.payload === 'poison');
    const selected = candidates.filter((r) => r.payload !== 'poison');
    if (poison.length) io.stderr.write(`${poison.length} poison message(s) match but ${POISON_EXPLANATION}\n`);
    if (flags['dry-run']) {
      io.stdout.write(`would replay ${selected.length} failed notification(s) from ${store.name} to ${connection.topic}\n`);
      if (selected.length) io.stdout.write(formatTable(selected.slice(0, 10), ['failed_at', 'notification_id', 'channel', 'failure_code']));
      return EXIT.OK;
    }
    requireSigningKey(connection, 'notifier replay');
    const tally = await withClient(io.createClient ?? createPubSubClient, connection, (c) => replayAll(c, store, filters, selected, rate));
    for (const line of tally.skipped) io.stderr.write(`skipped ${line}\n`);
    io.stdout.write(
      `replayed ${tally.replayed} of ${selected.length} failed notification(s) to ${connection.topic}` +
        `${tally.skipped.length ? ` (${tally.skipped.length} skipped)` : ''}. The notifier sends each only if ` +
        'it is still failed in its ledger; replaying again sends nothing twice.\n',
    );
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'publish failed notifications again, after the cause is fixed',
  usage: USAGE,
  run: runReplay,
};
