import { ChannelName } from '../codec/notification';

/** What `notifier failures` and `notifier replay` select on. */
export interface FailureFilters {
  /** Only failures recorded at or after this instant (always applied: the partition filter). */
  since: Date;
  channel?: ChannelName;
  type?: string;
  /** A failure code, e.g. ATTEMPTS_EXHAUSTED, or PUBSUB_DEAD_LETTER for Pub/Sub's own policy. */
  code?: string;
  account?: string;
  /** One notification: `notifier resolve` and the replay command it prints. */
  notificationId?: string;
  /** A routed notification's per-contact ledger key, `EMAIL:0a1b2c3d` (attribute notifier_target). */
  target?: string;
  /** At most this many rows (lists and replays). */
  limit?: number;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `24h`, `7d` → milliseconds; undefined when it is not such a duration. */
export function parseSince(text: string): number | undefined {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]!]! : undefined;
}
