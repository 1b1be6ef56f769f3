/** Benchmark settings: defaults sized for a ~3 minute run on 2 cores; flags win over env. */
export interface BenchOptions {
  /** Envelopes per measured batch (each kind: naive, ceiling, first, duplicate, first at 1M). */
  count: number;
  /** Rounds of batches; the kinds alternate inside each round so drift hits all alike. */
  rounds: number;
  /** Upper bound for one batch; whatever is answered by then is what counts. */
  batchSeconds: number;
  /** Keep-alive connections of the load generator, per server. */
  concurrency: number;
  /** Unmeasured deliveries per server first: JIT, pools and SMTP connections warm up. */
  warmup: number;
  /** Rows in the large ledger (seed 001: per-message cost must not grow with volume). */
  ledgerRows: number;
  /** The notifier's LOG_LEVEL: production logs one info line per delivery. */
  logLevel: string;
  /** Rebuild dist/ first, so the figures are those of the current source. */
  build: boolean;
  /** The notifier publishes lifecycle events (EVENTS_TOPIC), as in production; `--no-events` measures it without. */
  events: boolean;
  /** Directory for `--cpu-prof` profiles of the four children (named by pid); none when unset. */
  profileDir?: string;
}

export const DEFAULTS: BenchOptions = {
  count: 1000,
  rounds: 6,
  batchSeconds: 60,
  concurrency: 32,
  warmup: 300,
  ledgerRows: 1_000_000,
  logLevel: 'info',
  build: true,
  events: true,
};

const NUMERIC = {
  count: 'BENCH_COUNT',
  rounds: 'BENCH_ROUNDS',
  batchSeconds: 'BENCH_BATCH_SECONDS',
  concurrency: 'BENCH_CONCURRENCY',
  warmup: 'BENCH_WARMUP',
  ledgerRows: 'BENCH_LEDGER_ROWS',
} as const;

type Numeric = keyof typeof NUMERIC;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const USAGE =
  'usage: npm run bench -- [--count N] [--rounds N] [--batch-seconds S] [--concurrency N]\n' +
  '  [--warmup N] [--ledger-rows N] [--log-level L] [--no-build] [--no-events] [--profile DIR]\n' +
  `  env: ${Object.values(NUMERIC).join(', ')}, BENCH_LOG_LEVEL, BENCH_PROFILE_DIR`;

function parseNumber(name: string, raw: string, min: number): number {
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

/** `--count 3000` or `--count=3000`; env `BENCH_COUNT=3000`; unknown flags are an error. */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined> = {}): BenchOptions {
  const opts: BenchOptions = { ...DEFAULTS };
  for (const key of Object.keys(NUMERIC) as Numeric[]) {
    const raw = env[NUMERIC[key]];
    if (raw) opts[key] = parseNumber(NUMERIC[key], raw, key === 'warmup' ? 0 : 1);
  }
  if (env.BENCH_LOG_LEVEL) opts.logLevel = env.BENCH_LOG_LEVEL;
  if (env.BENCH_PROFILE_DIR) opts.profileDir = env.BENCH_PROFILE_DIR;

  const args = argv.flatMap((a) => (a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === '--no-build' || flag === '--no-events') {
      opts[flag === '--no-build' ? 'build' : 'events'] = false;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    i++;
    const key = (Object.keys(NUMERIC) as Numeric[]).find((k) => flagName(k) === flag);
    if (key) opts[key] = parseNumber(flag, value, key === 'warmup' ? 0 : 1);
    else if (flag === '--log-level') opts.logLevel = value;
    else if (flag === '--profile') opts.profileDir = value;
    else throw new Error(`unknown flag ${flag}\n${USAGE}`);
  }
  return opts;
}
