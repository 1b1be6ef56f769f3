import { createHash } from 'node:crypto';
import { Notification } from '../codec/notification';
import { FieldProblem } from '../codec/validate';
import { InvalidNotificationError, NotificationInput } from './notification-input';

/**
 * One notification per recipient. Each notification ID is derived from the broadcast
 * ID and the recipient's key, so running the same broadcast again — after a crash, or
 * twice by mistake — publishes the same IDs, and the notifier's ledger sends none of
 * them twice. Recipients are read lazily: an async iterable of millions is fine.
 */
export interface BroadcastOptions<R> {
  /** Names this broadcast; reuse it to resume. At most 64 characters. */
  broadcastId: string;
  recipients: Iterable<R> | AsyncIterable<R>;
  /** The notification for one recipient (its ID is assigned by the broadcast). */
  build(recipient: R, index: number): Omit<NotificationInput, 'notificationId'>;
  /** The recipient's stable identity; default: the recipient itself if a string, else its `id`. */
  keyOf?(recipient: R): string;
  /** Upper bound on publishes awaiting Pub/Sub's answer; default 1000. */
  maxOutstanding?: number;
  /** Optional cap on publishes per second. */
  ratePerSecond?: number;
  /** Called at most every `progressIntervalMs` (default 250) and once at the end. */
  onProgress?(progress: BroadcastProgress): void;
  progressIntervalMs?: number;
  /** A recipient whose notification is invalid is skipped and reported here. */
  onRejected?(rejected: RejectedRecipient<R>): void;
}

export interface BroadcastProgress {
  /** Recipients read so far. */
  read: number;
  /** Notifications Pub/Sub has accepted. */
  published: number;
  /** Recipients skipped because their notification was invalid. */
  rejected: number;
  elapsedMs: number;
  done: boolean;
}

export type BroadcastResult = Omit<BroadcastProgress, 'done'>;

export interface RejectedRecipient<R> {
  recipient: R;
  index: number;
  key: string;
  problems: readonly FieldProblem[];
}

/** Thrown when publishing fails mid-way; re-running the broadcast is safe and completes it. */
export class BroadcastError extends Error {
  constructor(readonly progress: BroadcastResult, options: { cause: unknown }) {
    super(
      `broadcast stopped after ${progress.published} of ${progress.read} read recipients were published: ` +
        `${(options.cause as Error)?.message ?? options.cause}. Run the same broadcast again to finish it; ` +
        'recipients already notified are not notified twice.',
      options,
    );
    this.name = 'BroadcastError';
  }
}

export const MAX_BROADCAST_ID = 64;

/** What is wrong with a broadcast ID, or undefined when it is usable. */
export function broadcastIdProblem(broadcastId: string): string | undefined {
  if (!broadcastId || broadcastId.length > MAX_BROADCAST_ID || /[\u0000-\u001f\u007f]/.test(broadcastId)) {
    return `must be 1–${MAX_BROADCAST_ID} printable characters`;
  }
  return undefined;
}

/** `<broadcastId>:<32 hex>` — at most 97 characters, within the 128 allowed for notification IDs. */
export function broadcastNotificationId(broadcastId: string, recipientKey: string): string {
  const digest = createHash('sha256').update(broadcastId).update('\0').update(recipientKey).digest('hex');
  return `${broadcastId}:${digest.slice(0, 32)}`;
}

function defaultKey(recipient: unknown): string {
  if (typeof recipient === 'string') return recipient;
  const id = (recipient as { id?: unknown } | null)?.id;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  throw new Error('broadcast: recipient has no string `id`; pass keyOf to say what identifies a recipient');
}

/** `prepare` builds what `send` publishes (a notification, or it encoded), throwing InvalidNotificationError for a bad one. */
export interface BroadcastIo<P = Notification> {
  prepare(input: NotificationInput): P;
  send(prepared: P): Promise<string>;
  nowMs?(): number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function broadcast<R, P = Notification>(opts: BroadcastOptions<R>, io: BroadcastIo<P>): Promise<BroadcastResult> {
  const { broadcastId } = opts;
  const problem = broadcastIdProblem(broadcastId);
  if (problem) throw new Error(`broadcast: broadcastId ${problem}`);
  const maxOutstanding = opts.maxOutstanding ?? 1000;
  const keyOf = opts.keyOf ?? defaultKey;
  const now = io.nowMs ?? Date.now;
  const started = now();
  const counts = { read: 0, published: 0, rejected: 0 };
  const outstanding = new Set<Promise<void>>();
  let sent = 0;
  let failure: unknown;
  let lastReport = -Infinity;

  const snapshot = (): BroadcastResult => ({ ...counts, elapsedMs: now() - started });
  const report = (done: boolean) => {
    if (!opts.onProgress || (!done && now() - lastReport < (opts.progressIntervalMs ?? 250))) return;
    lastReport = now();
    opts.onProgress({ ...snapshot(), done });
  };
  /** The recipient's notification, or undefined (reported) when it is invalid. */
  const prepare = (recipient: R, index: number): P | undefined => {
    const key = keyOf(recipient);
    try {
      return io.prepare({ ...opts.build(recipient, index), notificationId: broadcastNotificationId(broadcastId, key) });
    } catch (err) {
      if (!(err instanceof InvalidNotificationError)) throw err;
      counts.rejected++;
      opts.onRejected?.({ recipient, index, key, problems: err.problems });
      return undefined;
    }
  };
  const publish = async (notification: P) => {
    if (opts.ratePerSecond) {
      const due = started + (sent * 1000) / opts.ratePerSecond;
      if (due > now()) await sleep(due - now());
    }
    sent++;
    const pending: Promise<void> = io.send(notification).then(
      () => void counts.published++,
      (err) => void (failure ??= err),
    );
    outstanding.add(pending);
    void pending.finally(() => outstanding.delete(pending));
    if (outstanding.size >= maxOutstanding) await Promise.race(outstanding);
  };

  try {
    for await (const recipient of opts.recipients) {
      if (failure) break;
      const notification = prepare(recipient, counts.read++);
      if (notification) await publish(notification);
      report(false);
    }
  } finally {
    // Also when build or keyOf threw: every publish started is answered before returning.
    await Promise.all(outstanding);
  }
  if (failure) throw new BroadcastError(snapshot(), { cause: failure });
  report(true);
  return snapshot();
}
