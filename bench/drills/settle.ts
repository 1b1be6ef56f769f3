import { Harness } from './harness';
import { Accounting, openCount, reconcile } from './reconcile';

export interface SettleOptions {
  /** Give up when nothing moved (acks, mails) for this long: what is open by then is lost. */
  stallMs: number;
  /** Acks that belong to earlier phases of the drill (the rerun of a broadcast). */
  ackedBefore?: number;
  /**
   * Wait for every message to be acked, not only accounted for: a rerun's notifications
   * are all accounted for (by the first run) before it starts.
   */
  requireAcks?: boolean;
  /** Acks that make "every message acked" (default one per notification; more when each was published several times). */
  expectedAcks?: number;
  say(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POLL_MS = 1000;
/** After everything is accounted for: time for late duplicates and dead letters to show. */
const QUIET_MS = 5000;
/** The full reconciliation reads the whole ledger; between the cheap checks it runs this often. */
const FULL_CHECK_MS = 15000;

/** One progress line: what the SMTP server, the bridge and the notifier have seen so far. */
export function progressLine(h: Harness, published: number): string {
  const statuses = [...h.push.byStatus].map(([s, n]) => `${s}:${n}`).join(' ');
  return `published=${published} mails=${h.mail.total()} acked=${h.push.acked.size} in_flight=${h.push.inFlight()} pushes[${statuses}]`;
}

/**
 * Waits until every published notification is accounted for (a mail, a dead letter or
 * an unknown outcome) and the bridge is idle, then a quiet period, and returns the
 * final accounting. Stops early when nothing has moved for `stallMs`.
 */
export async function settle(h: Harness, published: readonly string[], opts: SettleOptions): Promise<Accounting> {
  let marker = -1;
  let lastMove = Date.now();
  let lastFull = Date.now();
  let lastSay = 0;
  for (;;) {
    await sleep(POLL_MS);
    const now = Date.now();
    const moved = h.push.acked.size + h.mail.total() + h.push.inFlight();
    if (moved !== marker) {
      marker = moved;
      lastMove = now;
    }
    if (now - lastSay >= 10000) {
      lastSay = now;
      opts.say(progressLine(h, published.length));
    }
    const allAcked = h.push.acked.size - (opts.ackedBefore ?? 0) >= (opts.expectedAcks ?? published.length);
    const stalled = now - lastMove >= opts.stallMs;
    if (!allAcked && !stalled && now - lastFull < FULL_CHECK_MS) continue;
    lastFull = now;
    const accounting = reconcile(await h.evidence(published));
    if (stalled) {
      opts.say(`nothing moved for ${opts.stallMs / 1000} s; ${openCount(accounting)} notification(s) unaccounted for`);
      return accounting;
    }
    if (openCount(accounting) === 0 && h.push.inFlight() === 0 && (allAcked || !opts.requireAcks)) {
      await sleep(QUIET_MS);
      return reconcile(await h.evidence(published));
    }
  }
}
