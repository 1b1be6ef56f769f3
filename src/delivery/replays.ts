import { LedgerEntry, TERMINAL_STATUSES } from './ports';
import { REPLAY_OF_ATTRIBUTE } from '../codec/attributes';

/** The replay fields every ledger write carries (forward, or updated by an accepted replay). */
export type ReplayState = Pick<LedgerEntry, 'replays' | 'lastReplayMessageId'>;

/** A replay is accepted with its new ledger state, or refused with a reason for the log. */
export type ReplayVerdict = { accepted: true; state: ReplayState } | { accepted: false; reason: string };

interface Incoming {
  messageId: string;
  attributes: Record<string, string>;
}

/**
 * Whether this message may reopen the row: a replay, of a `failed` row, that has not
 * already reopened it. Only `failed` reopens — a notification that was (or may have been,
 * `unknown`) sent is never sent again. The message-ID check stops a redelivered replay
 * whose retry failed again from spending another replay.
 */
export function mayReopen(row: LedgerEntry, msg: Incoming): boolean {
  return (
    row.status === 'failed' &&
    Object.hasOwn(msg.attributes, REPLAY_OF_ATTRIBUTE) &&
    row.lastReplayMessageId !== msg.messageId
  );
}

/**
 * Whether the row already settles this message: it is terminal and this message does not
 * reopen it as a replay. Checked before the lock (the fast path for duplicates) and again
 * under it, for routed and direct deliveries alike.
 */
export function isSettledFor(row: LedgerEntry, msg: Incoming): boolean {
  return TERMINAL_STATUSES.has(row.status) && !mayReopen(row, msg);
}

/** Under the lock, for a row `mayReopen` allows: counts the replay unless MAX_REPLAYS are spent. */
export function admitReplay(row: LedgerEntry, messageId: string, maxReplays: number): ReplayVerdict {
  if (row.replays >= maxReplays) {
    return { accepted: false, reason: `${row.replays} of at most ${maxReplays} replays (MAX_REPLAYS) already used` };
  }
  return { accepted: true, state: { replays: row.replays + 1, lastReplayMessageId: messageId } };
}
