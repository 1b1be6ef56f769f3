import { appendHistory, historyEntry } from './ledger-history';
import type { DeliveryKey, DeliveryStatus } from '../delivery/ports';
import type { Pool } from './pool';
import { query, utcDatetime } from './sql';

/** How support settled a send outcome the notifier could not know (`notifier resolve --as`). */
export type Resolution = 'sent' | 'failed' | 'resend';

export const RESOLUTIONS: readonly Resolution[] = Object.freeze(['sent', 'failed', 'resend'] as const);

/**
 * The status each resolution leaves. `resend` leaves `failed` because a failed row is the
 * only kind a replay (notifier_replay_of) may reopen: the one message the CLI then publishes.
 */
export const RESOLVED_STATUS: Readonly<Record<Resolution, DeliveryStatus>> = Object.freeze({
  sent: 'sent',
  failed: 'failed',
  resend: 'failed',
});

/** Column sizes of migration 0005, in characters (what VARCHAR counts in utf8mb4). */
export const RESOLUTION_LIMITS = Object.freeze({ by: 128, note: 255 });

/** A resolution as the ledger row records it. */
export interface RecordedResolution {
  resolution: Resolution;
  by: string;
  at: Date;
  note?: string;
}

/** What resolving needs to know of a ledger row. */
export interface ResolvableRow {
  status: DeliveryStatus;
  /** Replays that reopened the row so far (the notifier refuses more than MAX_REPLAYS). */
  replays: number;
  /** When the row last changed: for `unknown`, just after its dead letter was published. */
  updatedAt: Date;
  /** The latest resolution; a row resolved `resend` may have been reopened and settled since. */
  resolved?: RecordedResolution;
}

export interface ResolutionWrite {
  resolution: Resolution;
  by: string;
  atMs: number;
  note?: string;
}

/** Resolutions of the delivery ledger's `unknown` rows. */
export interface Resolutions {
  find(key: DeliveryKey): Promise<ResolvableRow | undefined>;
  /** True when this call resolved the row; false when it was not `unknown` (any more): nothing written. */
  resolve(key: DeliveryKey, write: ResolutionWrite): Promise<boolean>;
}

const SELECT_ROW = `
SELECT status, replays, updated_at, resolution, resolved_by, resolved_at, resolution_note
FROM delivery_ledger WHERE notification_id = ? AND channel = ?`;

/**
 * One conditional statement, so a row is resolved at most once per `unknown`: of two
 * concurrent resolves, InnoDB's row lock makes the second re-read the row, find it no longer
 * `unknown`, and change nothing. failure_code stays SEND_OUTCOME_UNKNOWN: why it was unknown.
 */
const RESOLVE = `
UPDATE delivery_ledger
SET status = ?, resolution = ?, resolved_by = ?, resolved_at = ?, resolution_note = ?, ${appendHistory(historyEntry("'resolved'"))}
WHERE notification_id = ? AND channel = ? AND status = 'unknown'`;

interface Row {
  status: DeliveryStatus;
  replays: number;
  updated_at: Date;
  resolution: Resolution | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  resolution_note: string | null;
}

const toResolvable = (r: Row): ResolvableRow => ({
  status: r.status,
  replays: r.replays,
  updatedAt: r.updated_at,
  ...(r.resolution !== null && {
    resolved: {
      resolution: r.resolution,
      by: r.resolved_by ?? '',
      // The pool reads DATETIME as UTC (connection option timezone 'Z'), as it was written.
      at: r.resolved_at ?? new Date(0),
      ...(r.resolution_note !== null && { note: r.resolution_note }),
    },
  }),
});

/** Resolutions on MySQL (`delivery_ledger`, migration 0005); times are UTC parameters from the caller's clock. */
export function makeMysqlResolutions(pool: Pool, opts: { timeoutMs: number }): Resolutions {
  return {
    async find(key) {
      const rows = await query<Row[]>(pool, SELECT_ROW, [key.notificationId, key.channel], opts.timeoutMs);
      return rows[0] && toResolvable(rows[0]);
    },
    async resolve(key, w) {
      const result = await query<{ affectedRows: number }>(pool, RESOLVE, [
        RESOLVED_STATUS[w.resolution], w.resolution, w.by, utcDatetime(w.atMs), w.note ?? null, w.resolution,
        key.notificationId, key.channel,
      ], opts.timeoutMs);
      return result.affectedRows === 1;
    },
  };
}
