import { randomUUID } from 'node:crypto';
import { envelopeFor } from '../test/support/notifications';
import { HEAVY_ACCOUNT } from './databases';

export interface Batch {
  /** The notification IDs, one per body. */
  ids: string[];
  /** Serialised push envelopes, ready to POST. */
  bodies: Buffer[];
}

/**
 * Proto3 JSON written by hand rather than through src/codec: the codec finds the proto
 * relative to its own file, which under dist-bench/ is not where the proto lives.
 */
function payload(notificationId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      notificationId,
      accountId: HEAVY_ACCOUNT,
      type: 'order.shipped',
      channel: 'EMAIL',
      source: 'bench',
      createdAtMicros: String(Date.now() * 1000),
      email: { to: 'alice@example.com', subject: 'Your order shipped', text: 'It is on its way.' },
    }),
  );
}

/** `count` first deliveries: fresh notification IDs, fresh Pub/Sub message IDs. */
export function firstDeliveries(count: number): Batch {
  const ids = Array.from({ length: count }, () => `n-${randomUUID()}`);
  const bodies = ids.map((id) => Buffer.from(JSON.stringify(envelopeFor(payload(id), { messageId: randomUUID() }))));
  return { ids, bodies };
}

/**
 * Redeliveries of `batch` after it was sent: Pub/Sub redelivers the very same message
 * (same message ID, same bytes), so the same bodies are pushed again.
 */
export const redeliveriesOf = (batch: Batch): Batch => batch;
