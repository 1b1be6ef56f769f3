import { Subscription } from '@google-cloud/pubsub';
import { PushBridge, startPushBridge } from '../../src/local/push-bridge';

/**
 * The push bridge of the local pipeline, plus what the drills measure on it: push
 * results, acks per message, and — for messages registered with `published` — the
 * backlog and the age of the oldest unacknowledged message (Cloud Monitoring's
 * `oldest_unacked_message_age`, which the emulator does not have).
 */
export interface PushTracker {
  /** Push results by HTTP status (or `timeout` / `unreachable`). */
  byStatus: Map<string, number>;
  /** Distinct Pub/Sub message IDs acked so far. */
  acked: Set<string>;
  firstAckAt?: number;
  lastAckAt?: number;
  /** Push requests started and not yet answered. */
  inFlight(): number;
  /** Registers a published message (capacity drill) so backlog and oldest age can be told. */
  published(messageId: string, atMs: number): void;
  /** Registered messages not yet acked, and the age of the oldest of them. */
  backlog(nowMs: number): { size: number; oldestAgeMs: number };
  close(): Promise<void>;
}

export interface PushTrackerOptions {
  subscription: Subscription;
  endpoint: string;
  ackDeadlineSeconds: number;
  maxInFlight: number;
  onError(err: Error): void;
}

/**
 * Pub/Sub push acknowledges with the HTTP response. The bridge's pull client instead
 * batches acks for up to 100 ms, and the emulator hands out no more than the flow-control
 * window until acks arrive: with 10 in flight that alone capped duplicates (answered in a
 * few ms) at ~73/s instead of ~240/s. The drills send acks within a millisecond
 * (DRILL_ACK_MS), so what they measure is the notifier. (The bridge replaces the
 * subscription's options, hence the wrap.)
 */
function ackPromptly(subscription: Subscription): void {
  const setOptions = subscription.setOptions.bind(subscription);
  subscription.setOptions = (options) =>
    setOptions({ ...options, batching: { maxMessages: 100, maxMilliseconds: Number(process.env.DRILL_ACK_MS ?? 1) } });
}

export function startPushTracker(opts: PushTrackerOptions): PushTracker {
  ackPromptly(opts.subscription);
  let received = 0;
  let answered = 0;
  // Insertion order is publish order, so the first entry is the oldest unacked one.
  const unacked = new Map<string, number>();
  const tracker: PushTracker = {
    byStatus: new Map(),
    acked: new Set(),
    inFlight: () => received - answered,
    published(messageId, atMs) {
      // A fast delivery can be acked before the publish call has returned its ID.
      if (!tracker.acked.has(messageId)) unacked.set(messageId, atMs);
    },
    backlog(nowMs) {
      const oldest = unacked.values().next();
      return { size: unacked.size, oldestAgeMs: oldest.done ? 0 : nowMs - oldest.value };
    },
    close: async () => bridge.close(),
  };
  const bridge: PushBridge = startPushBridge({
    subscription: opts.subscription,
    endpoint: opts.endpoint,
    ackDeadlineSeconds: opts.ackDeadlineSeconds,
    maxInFlight: opts.maxInFlight,
    onResult: (r) => {
      answered++;
      const status = String(r.status);
      tracker.byStatus.set(status, (tracker.byStatus.get(status) ?? 0) + 1);
      if (!r.acked) return;
      const now = Date.now();
      tracker.firstAckAt ??= now;
      tracker.lastAckAt = now;
      tracker.acked.add(r.messageId);
      unacked.delete(r.messageId);
    },
    onError: opts.onError,
  });
  // A second listener on the bridge's subscription only counts; the bridge acks and nacks.
  opts.subscription.on('message', () => void received++);
  return tracker;
}
