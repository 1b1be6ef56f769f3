import type { CliIo, Command } from './command';
import { EXIT, CliError } from './errors';
import { FAILURE_FLAGS_USAGE, FAILURE_OPTIONS, filtersFrom, openFailureStore } from './failure-flags';
import { parseFlags } from './flags';
import { formatTable } from './table';

const OPTIONS = { ...FAILURE_OPTIONS, list: { type: 'boolean' }, json: { type: 'boolean' } } as const;

const USAGE = `notifier failures [--list] [filters] [--json] [--dry-run]
  Which notifications failed, why, for whom, since when. Default: counts by channel, type,
  failure code and source service; --list: one row per failed notification (latest record).
${FAILURE_FLAGS_USAGE}
  --list                  the failed notifications themselves, newest first
  --json                  rows as JSON, for scripts
  --dry-run               BigQuery only: print the bytes the query would scan, run nothing
  Examples:
    npm run notifier -- failures --local
    notifier failures --dataset my-project.notifier_failures --since 7d --code ATTEMPTS_EXHAUSTED --list`;

const SUMMARY_COLUMNS = ['failures', 'channel', 'type', 'failure_code', 'source', 'first_failed_at', 'last_failed_at'];
const LIST_COLUMNS = ['failed_at', 'notification_id', 'channel', 'type', 'account_id', 'failure_code', 'attempts', 'dead_lettered_by', 'error'];

/** `notifier failures`: summary or list, from BigQuery or the local stand-in. */
export async function runFailures(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags('failures', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const filters = filtersFrom(flags, (io.now ?? Date.now)());
  const store = io.failureStore ?? openFailureStore(flags, io.env);
  try {
    const kind = flags.list ? 'list' : 'summary';
    if (flags['dry-run']) {
      if (!store.estimateBytes) throw new CliError(`--dry-run estimates BigQuery bytes; ${store.name} has nothing to estimate`);
      const bytes = await store.estimateBytes(kind, filters);
      io.stdout.write(`${kind} query would scan ${bytes} bytes (${(bytes / 2 ** 30).toFixed(3)} GiB) in ${store.name}\n`);
      return EXIT.OK;
    }
    const rows = kind === 'list' ? await store.list(filters) : await store.summary(filters);
    if (flags.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.stdout.write(`no failures since ${filters.since.toISOString()} in ${store.name}\n`);
    else io.stdout.write(formatTable(rows, kind === 'list' ? LIST_COLUMNS : SUMMARY_COLUMNS));
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

export const failuresCommand: Command = {
  name: 'failures',
  summary: 'which notifications failed, why, for whom, since when',
  usage: USAGE,
  run: runFailures,
};
