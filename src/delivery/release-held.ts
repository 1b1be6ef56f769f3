import { randomBytes } from 'node:crypto';
import { asDeliveryError } from './failures';
import { emitAll, keyFacts } from './events';
import type { Clock, DeliveryKey, EventSink, NotificationPublisher } from './ports';
import { RELEASE_OF_ATTRIBUTE, republishAttributes } from '../codec/attributes';

/** A held notification claimed for release: the message as it was received. */
export interface HeldRow extends DeliveryKey {
  data: Buffer;
  attributes: Record<string, string>;
  sourceMessageId: string;
  /** Undefined = never expires. */
  expiresAtMs?: number;
}

export interface ClaimRequest {
  /** Marks the claimed rows; a row is this release's while it carries the token. */
  token: string;
  nowMs: number;
  /** A `releasing` claim made before this instant belongs to a release that died: take it over. */
  staleBeforeMs: number;
  limit: number;
}

/** The queue of held notifications (`held_notifications`). */
export interface HeldQueue {
  /**
   * Claims up to `limit` rows that are due (release_at <= now) and `held`, or `releasing`
   * with a stale claim, in release_at order, and returns them. Two concurrent claims never
   * return the same row.
   */
  claim(request: ClaimRequest): Promise<HeldRow[]>;
  /** The row is `released`, if `token` still holds it; false when another release took it over. */
  markReleased(key: DeliveryKey, token: string): Promise<boolean>;
  /** The row is `expired`, and its ledger row goes from `held` to `expired`. */
  markExpired(key: DeliveryKey, token: string): Promise<void>;
  /** Rows this release claimed but never started go back to `held`, for the next release. */
  unclaim(keys: DeliveryKey[], token: string): Promise<void>;
}

export interface ReleaseDeps {
  queue: HeldQueue;
  publisher: NotificationPublisher;
  clock: Clock;
  /** Rows claimed per call (RELEASE_BATCH_SIZE). */
  batchSize: number;
  /** A claim older than this may be taken over (RELEASE_CLAIM_TIMEOUT_MS). */
  claimTimeoutMs: number;
  /** Publishes in flight at once; bounds the MySQL connections one release uses too. */
  concurrency?: number;
  newClaimToken?: () => string;
  /** Lifecycle events (`released`, `expired`); absent: none. */
  events?: EventSink;
}

export interface ReleaseResult {
  released: number;
  expired: number;
  /** Claimed but not released: the publish (or the database) failed, or a failure stopped the batch first. */
  failed: number;
  /** The batch was full: more may be due. */
  more: boolean;
  /** The first failure, short and free of personal data, for the log. */
  error?: string;
}

export type ReleaseHeld = () => Promise<ReleaseResult>;

const DEFAULT_CONCURRENCY = 8;

/**
 * Publishes held notifications whose quiet hours are over back to the notifications topic,
 * one batch per call. At-least-once by design: a release that dies after publishing but
 * before marking the row `released` leaves a claim that is taken over after claimTimeoutMs
 * and publishes again; the delivery ledger makes that second delivery a duplicate.
 *
 * The first failure stops the batch: Pub/Sub or MySQL is most likely down, and trying the
 * rest would only add timeouts. The failed rows stay claimed (retaken after claimTimeoutMs);
 * rows not yet started go back to `held`, so one row that keeps failing cannot hold back
 * the rows claimed with it.
 */
export function makeReleaseHeld(deps: ReleaseDeps): ReleaseHeld {
  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const newToken = deps.newClaimToken ?? (() => randomBytes(16).toString('hex'));

  return async function releaseHeld() {
    const nowMs = deps.clock.nowMs();
    const token = newToken();
    const rows = await deps.queue.claim({ token, nowMs, staleBeforeMs: nowMs - deps.claimTimeoutMs, limit: deps.batchSize });
    const result: ReleaseResult = { released: 0, expired: 0, failed: 0, more: rows.length >= deps.batchSize };

    async function releaseOne(row: HeldRow): Promise<void> {
      try {
        if (row.expiresAtMs !== undefined && row.expiresAtMs <= nowMs) {
          await deps.queue.markExpired(row, token);
          emitAll(deps.events, [keyFacts(row, 'expired', row.sourceMessageId)]);
          result.expired++;
          return;
        }
        const attributes = republishAttributes(row.attributes, { [RELEASE_OF_ATTRIBUTE]: row.sourceMessageId }, row.data.length);
        await deps.publisher.publish(row.data, attributes);
        emitAll(deps.events, [keyFacts(row, 'released', row.sourceMessageId)]);
        // Published: counted as released even when the claim was lost meanwhile (the ledger deduplicates).
        await deps.queue.markReleased(row, token);
        result.released++;
      } catch (err) {
        result.failed++;
        const e = asDeliveryError(err);
        result.error ??= `${e.code}: ${e.message}`;
      }
    }

    const notStarted = await runBounded(rows, concurrency, releaseOne, () => result.failed > 0);
    if (notStarted.length > 0) {
      result.failed += notStarted.length;
      // If this fails too, the rows stay claimed and are retaken after claimTimeoutMs.
      await deps.queue.unclaim(notStarted, token).catch(() => undefined);
    }
    return result;
  };
}

/**
 * Runs `work` over `items`, at most `limit` at a time, in order; once `stop()` is true no
 * further item is started. Resolves with the items never started.
 */
async function runBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>, stop: () => boolean): Promise<T[]> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      await work(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return items.slice(next);
}
