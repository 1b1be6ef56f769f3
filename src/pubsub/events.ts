import type { PubSub } from '@google-cloud/pubsub';
import { encodeEvent, EventFacts, eventId, NotificationEvent } from '../codec/event';
import type { EventSink } from '../delivery/ports';
import type { Logger } from '../logging';


export interface EventPublisherOptions {
  /** EVENTS_TOPIC. */
  topic: string;
  /** Events accepted but not yet published, at most; more are dropped and counted. */
  maxPending: number;
  /** A batch goes out after this many milliseconds or 1,000 events, whichever comes first. */
  batchMs: number;
  /** Pub/Sub's own retries of one publish end after this long; the event is then counted as failed. */
  publishTimeoutMs: number;
  /** Epoch milliseconds with a fraction: events of one delivery must not share a time. */
  clock?: () => number;
  /** A contact target as subscribers may see it (routing.ts makePublicTarget); default: as it is. */
  publicTarget?: (target: string) => string;
}

/** Microsecond resolution, monotonic within the process: `sending` after `received` even within one millisecond. */
const preciseNow = () => performance.timeOrigin + performance.now();

export interface EventCounts {
  published: number;
  /** The publish failed (after the client's own retries): logged, not retried again. */
  failed: number;
  /** Not even tried: `maxPending` events were waiting already (Pub/Sub slow or down). */
  dropped: number;
}

export interface EventPublisher extends EventSink {
  counts(): EventCounts;
  /** Publishes what is waiting (shutdown); resolves when every publish has settled. */
  flush(): Promise<void>;
}

/** The event of these facts at this time: its ID from the facts, its target as subscribers see it. */
export const toEvent = (facts: EventFacts, occurredAtMs: number, publicTarget: (target: string) => string): NotificationEvent => ({
  ...facts,
  target: publicTarget(facts.target),
  eventId: eventId(facts),
  occurredAtMs,
});

/**
 * An event as a Pub/Sub message: its proto3 JSON, and the attributes a producer's subscription
 * may filter on (`attributes.source = "orders"`; eventFacts bounds their length).
 */
export const eventMessage = (e: NotificationEvent) => ({
  data: encodeEvent(e),
  attributes: { source: e.source, event: e.event, channel: e.channel, type: e.type },
});

/**
 * Publishes lifecycle events to the `notification-events` topic in batches, without the
 * delivery waiting for them. A failed or dropped event is counted and logged (the first,
 * then every 1,000th, with the running counts: a log-based metric can alert on them); the
 * delivery it describes is not affected.
 */
export function makePubSubEventPublisher(pubsub: PubSub, log: Logger, opts: EventPublisherOptions): EventPublisher {
  const clock = opts.clock ?? preciseNow;
  const publicTarget = opts.publicTarget ?? ((t: string) => t);
  const topic = pubsub.topic(opts.topic, {
    batching: { maxMessages: 1000, maxMilliseconds: opts.batchMs },
    // With a timeout, google-gax also ends its retries of the call after that long.
    gaxOpts: { timeout: opts.publishTimeoutMs },
  });
  const counts: EventCounts = { published: 0, failed: 0, dropped: 0 };
  const pending = new Set<Promise<void>>();

  const lost = (kind: 'failed' | 'dropped', e: NotificationEvent, error?: string) => {
    counts[kind] += 1;
    if (counts[kind] % 1000 === 1) {
      log.error(`lifecycle event ${kind}`, { topic: opts.topic, event: e.event, notificationId: e.notificationId, error, ...countFields() });
    }
  };
  const countFields = () => ({ eventsPublished: counts.published, eventsFailed: counts.failed, eventsDropped: counts.dropped });

  return {
    emit(facts: EventFacts) {
      const e = toEvent(facts, clock(), publicTarget);
      if (pending.size >= opts.maxPending) return lost('dropped', e);
      const publish = topic
        .publishMessage(eventMessage(e))
        .then(
          () => void (counts.published += 1),
          (err: Error) => lost('failed', e, err.message),
        )
        .finally(() => pending.delete(publish));
      pending.add(publish);
    },
    counts: () => ({ ...counts }),
    async flush() {
      await topic.flush().catch(() => undefined);
      await Promise.all([...pending]);
      if (counts.failed + counts.dropped > 0) log.warn('lifecycle events not published', countFields());
    },
  };
}
