/** Command line of `npm run drill -- <name> [--flag value]…`. */

export const DRILL_NAMES = ['broadcast', 'db-outage', 'smtp-outage', 'smtp-slow', 'lock-loss', 'crash', 'capacity'] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

/** smtp-outage: `refuse` — connections refused and dropped; `hold` — the server stops answering. */
export const SMTP_MODES = ['refuse', 'hold'] as const;
export type SmtpMode = (typeof SMTP_MODES)[number];

export interface DrillArgs {
  name: DrillName;
  /** Notifications the drill publishes (capacity: derived from peak × duration). */
  recipients?: number;
  /** capacity: the stated daily peak, notifications per second; the drill publishes at 2×. */
  peak?: number;
  /** Fault drills: publishes per second while the fault happens (each drill has its default). */
  rate?: number;
  /** capacity: seconds of publishing at 2× peak. */
  durationSeconds: number;
  /** outage drills: how long the dependency stays away (smtp-slow: answers late; lock-loss: connections are killed). */
  outageSeconds: number;
  /** Push requests in flight at once: Cloud Run's per-instance concurrency (Terraform `concurrency`). */
  inFlight: number;
  /** Fault drills: fraction of the notifications delivered before the (first) fault starts. */
  faultAt: number;
  /** crash: how many times the notifier is killed, spread over the load. */
  kills: number;
  smtpMode: SmtpMode;
}

const NUMBER_FLAGS = {
  '--recipients': 'recipients',
  '--peak': 'peak',
  '--rate': 'rate',
  '--duration': 'durationSeconds',
  '--outage': 'outageSeconds',
  '--in-flight': 'inFlight',
  '--at': 'faultAt',
  '--kills': 'kills',
} as const;

const INTEGRAL = new Set(['recipients', 'inFlight', 'kills']);

export const USAGE =
  `usage: npm run drill -- <${DRILL_NAMES.join('|')}> [--recipients N] [--peak N/s] [--rate N/s] ` +
  `[--duration S] [--outage S] [--in-flight N] [--at FRACTION] [--kills N] [--mode ${SMTP_MODES.join('|')}]`;

function positive(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got "${raw ?? ''}"`);
  return value;
}

/** Parses argv (without node and script); throws with a message naming the bad argument. */
export function parseArgs(argv: readonly string[]): DrillArgs {
  const [name, ...rest] = argv;
  if (!DRILL_NAMES.includes(name as DrillName)) throw new Error(`unknown drill "${name ?? ''}"\n${USAGE}`);
  const args: DrillArgs = {
    name: name as DrillName,
    durationSeconds: 60,
    outageSeconds: 10,
    inFlight: 10,
    faultAt: 0.3,
    kills: 3,
    smtpMode: 'refuse',
  };
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i]!.split('=', 2) as [string, string | undefined];
    const raw = inline ?? rest[++i];
    if (flag === '--mode') {
      if (!SMTP_MODES.includes(raw as SmtpMode)) throw new Error(`--mode is one of ${SMTP_MODES.join(', ')}, got "${raw ?? ''}"`);
      args.smtpMode = raw as SmtpMode;
      continue;
    }
    const key = NUMBER_FLAGS[flag as keyof typeof NUMBER_FLAGS];
    if (!key) throw new Error(`unknown flag "${flag}"\n${USAGE}`);
    const value = positive(flag, raw);
    if (key === 'faultAt' && value >= 1) throw new Error('--at is a fraction between 0 and 1');
    args[key] = INTEGRAL.has(key) ? Math.floor(value) : value;
  }
  return args;
}
