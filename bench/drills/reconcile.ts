/**
 * The drills' accounting: what happened to every published notification, from three
 * independent witnesses — the SMTP server (mails per X-Notification-Id), the ledger
 * (status of the EMAIL row) and the BigQuery stand-in (dead-letter rows and their codes).
 * Pure: the drills gather the witnesses, this decides.
 */

/** What the witnesses say about the notifications of one drill. */
export interface Evidence {
  /** Notification IDs that Pub/Sub accepted from the producer. */
  published: readonly string[];
  /** Mails the SMTP server accepted, per notification ID. */
  mails: ReadonlyMap<string, number>;
  /** Ledger status of (notification_id, EMAIL). */
  ledger: ReadonlyMap<string, string>;
  /** Failure codes of the dead-letter rows, per notification ID (PUBSUB_DEAD_LETTER for Pub/Sub's own policy). */
  deadLetters: ReadonlyMap<string, readonly string[]>;
}

/**
 * One verdict per notification; exactly one applies.
 * - delivered_once: one mail, ledger `sent`, no failure record.
 * - delivered_unrecorded: one mail, ledger left `sending` (the ledger write after the send
 *   failed; the notifier acked and must never resend). Not a violation.
 * - delivered_retrying: one mail, but the ledger says `pending` — the notifier believes the
 *   send failed (the server's answer was lost) and will send it again. A violation.
 * - unknown: the crash window — ledger `unknown` or dead-lettered SEND_OUTCOME_UNKNOWN; zero or
 *   one mail (the provider may or may not have accepted it). Not a violation.
 * - failed: no mail, a dead-letter row with a reason.
 * - duplicate: two or more mails. Always a violation: no resend-safe types are configured, so
 *   even after an unknown outcome the notifier must not send again.
 * - delivered_and_failed: one mail and a (non-unknown) failure record — a false failure that a
 *   replay of a ledger-`failed` row would turn into a duplicate. A violation.
 * - lost: no mail, no failure record, not unknown. A violation.
 */
export type Verdict =
  | 'delivered_once'
  | 'delivered_unrecorded'
  | 'delivered_retrying'
  | 'unknown'
  | 'failed'
  | 'duplicate'
  | 'delivered_and_failed'
  | 'lost';

export const VIOLATIONS: ReadonlySet<Verdict> = new Set(['duplicate', 'delivered_retrying', 'delivered_and_failed', 'lost']);

export const UNKNOWN_CODE = 'SEND_OUTCOME_UNKNOWN';

export interface Accounting {
  published: number;
  counts: Record<Verdict, number>;
  /** Failed notifications by reason code. */
  failedByCode: Record<string, number>;
  /** Unknown outcomes whose mail did reach the SMTP server (the rest never did). */
  unknownWithMail: number;
  /** Lost ones whose ledger row says a transient failure is being retried (Pub/Sub still has them). */
  lostInRetry: number;
  /** Unknown-outcome ledger rows without their dead-letter row (yet): must reach 0. */
  unknownNotDeadLettered: number;
  /** A few notification IDs per violation, for the report. */
  examples: Partial<Record<Verdict, string[]>>;
  /** Mails for notification IDs that were never published (should be 0). */
  strayMails: number;
}

/** The verdict for one notification. */
export function verdictOf(mails: number, status: string | undefined, codes: readonly string[]): Verdict {
  if (mails >= 2) return 'duplicate';
  if (status === 'unknown' || codes.includes(UNKNOWN_CODE)) return 'unknown';
  if (mails === 1) {
    if (codes.length > 0) return 'delivered_and_failed';
    if (status === 'pending') return 'delivered_retrying';
    return status === 'sent' ? 'delivered_once' : 'delivered_unrecorded';
  }
  return codes.length > 0 ? 'failed' : 'lost';
}

const emptyCounts = (): Record<Verdict, number> => ({
  delivered_once: 0,
  delivered_unrecorded: 0,
  delivered_retrying: 0,
  unknown: 0,
  failed: 0,
  duplicate: 0,
  delivered_and_failed: 0,
  lost: 0,
});

const MAX_EXAMPLES = 5;

export function reconcile(e: Evidence): Accounting {
  const a: Accounting = {
    published: e.published.length,
    counts: emptyCounts(),
    failedByCode: {},
    unknownWithMail: 0,
    lostInRetry: 0,
    unknownNotDeadLettered: 0,
    examples: {},
    strayMails: 0,
  };
  const publishedIds = new Set(e.published);
  for (const id of publishedIds) {
    const mails = e.mails.get(id) ?? 0;
    const codes = e.deadLetters.get(id) ?? [];
    const status = e.ledger.get(id);
    const verdict = verdictOf(mails, status, codes);
    a.counts[verdict]++;
    if (verdict === 'lost' && status === 'pending') a.lostInRetry++;
    if (verdict === 'failed') {
      // Dead-lettering can repeat (best effort); the reason is the latest record's.
      const code = codes[codes.length - 1]!;
      a.failedByCode[code] = (a.failedByCode[code] ?? 0) + 1;
    }
    if (verdict === 'unknown') {
      if (mails === 1) a.unknownWithMail++;
      if (!codes.includes(UNKNOWN_CODE)) a.unknownNotDeadLettered++;
    }
    if (VIOLATIONS.has(verdict)) {
      const list = (a.examples[verdict] ??= []);
      if (list.length < MAX_EXAMPLES) list.push(id);
    }
  }
  for (const [id, count] of e.mails) if (!publishedIds.has(id)) a.strayMails += count;
  return a;
}

/** Notifications that may still change: nothing says where they ended up yet. */
export function openCount(a: Accounting): number {
  return a.counts.lost + a.unknownNotDeadLettered;
}

/** Why the drill failed, or an empty list. */
export function violations(a: Accounting): string[] {
  const found: string[] = [];
  for (const v of VIOLATIONS) if (a.counts[v] > 0) found.push(`${v}=${a.counts[v]} (e.g. ${a.examples[v]!.join(', ')})`);
  if (a.unknownNotDeadLettered > 0) found.push(`unknown outcomes not dead-lettered=${a.unknownNotDeadLettered}`);
  if (a.strayMails > 0) found.push(`mails for unpublished IDs=${a.strayMails}`);
  return found;
}
