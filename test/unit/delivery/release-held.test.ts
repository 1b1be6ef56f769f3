import { TransientError } from '../../../src/delivery/failures';
import type { DeliveryKey, NotificationPublisher } from '../../../src/delivery/ports';
import { ClaimRequest, HeldQueue, HeldRow, makeReleaseHeld } from '../../../src/delivery/release-held';
import { RELEASE_OF_ATTRIBUTE } from '../../../src/codec/attributes';

const NOW = Date.parse('2026-06-01T07:00:00.000Z');
const keyOf = (k: DeliveryKey) => `${k.notificationId}|${k.channel}`;

function aRow(id: string, overrides: Partial<HeldRow> = {}): HeldRow {
  return {
    notificationId: id,
    channel: 'EMAIL',
    data: Buffer.from(`{"notificationId":"${id}"}`),
    attributes: { googclient_schemaencoding: 'JSON', origin: 'orders' },
    sourceMessageId: `m-${id}`,
    ...overrides,
  };
}

/** The held queue in memory: what is due, and what each call did with which token. */
class FakeHeldQueue implements HeldQueue {
  due: HeldRow[] = [];
  claims: ClaimRequest[] = [];
  readonly status = new Map<string, string>();
  readonly unclaimed: string[] = [];
  claimError?: Error;
  markError?: Error;

  async claim(req: ClaimRequest) {
    if (this.claimError) throw this.claimError;
    this.claims.push(req);
    const taken = this.due.splice(0, req.limit);
    for (const r of taken) this.status.set(keyOf(r), 'releasing');
    return taken;
  }
  async markReleased(key: DeliveryKey) {
    if (this.markError) throw this.markError;
    this.status.set(keyOf(key), 'released');
    return true;
  }
  async markExpired(key: DeliveryKey) {
    this.status.set(keyOf(key), 'expired');
  }
  async unclaim(keys: DeliveryKey[]) {
    for (const k of keys) {
      this.status.set(keyOf(k), 'held');
      this.unclaimed.push(k.notificationId);
    }
  }
}

/** Records what was published; fails for the notification IDs in `failFor`. */
class FakePublisher implements NotificationPublisher {
  readonly published: { data: Buffer; attributes: Record<string, string> }[] = [];
  readonly failFor = new Set<string>();

  async publish(data: Buffer, attributes: Record<string, string>) {
    const id = (JSON.parse(data.toString()) as { notificationId: string }).notificationId;
    if (this.failFor.has(id)) throw new TransientError('PUBLISH_UNAVAILABLE', 'publishing to notifications failed: UNAVAILABLE');
    this.published.push({ data, attributes });
    return `pub-${this.published.length}`;
  }
}

function setup(opts: { batchSize?: number; concurrency?: number } = {}) {
  const queue = new FakeHeldQueue();
  const publisher = new FakePublisher();
  const release = makeReleaseHeld({
    queue,
    publisher,
    clock: { nowMs: () => NOW },
    batchSize: opts.batchSize ?? 10,
    claimTimeoutMs: 300_000,
    concurrency: opts.concurrency,
    newClaimToken: () => 'token-1',
  });
  return { queue, publisher, release };
}

describe('makeReleaseHeld', () => {
  test('when rows are due, then each is published with its original data and attributes plus notifier_release_of, and marked released', async () => {
    const { queue, publisher, release } = setup();
    queue.due = [aRow('a'), aRow('b', { attributes: { notifier_replay_of: 'm-0' } })];
    expect(await release()).toEqual({ released: 2, expired: 0, failed: 0, more: false });
    expect(publisher.published.map((p) => p.data.toString())).toEqual(['{"notificationId":"a"}', '{"notificationId":"b"}']);
    expect(publisher.published[0]!.attributes).toEqual({ origin: 'orders', [RELEASE_OF_ATTRIBUTE]: 'm-a' });
    expect(publisher.published[1]!.attributes).toEqual({ notifier_replay_of: 'm-0', [RELEASE_OF_ATTRIBUTE]: 'm-b' });
    expect([...queue.status.values()]).toEqual(['released', 'released']);
  });

  test('when claiming, then the batch size, the clock and a stale-claim cut-off of now minus the claim timeout are passed', async () => {
    const { queue, release } = setup({ batchSize: 7 });
    await release();
    expect(queue.claims).toEqual([{ token: 'token-1', nowMs: NOW, staleBeforeMs: NOW - 300_000, limit: 7 }]);
  });

  test('when a row has expired, then it is marked expired and not published', async () => {
    const { queue, publisher, release } = setup();
    queue.due = [aRow('old', { expiresAtMs: NOW }), aRow('fresh', { expiresAtMs: NOW + 1 })];
    expect(await release()).toEqual({ released: 1, expired: 1, failed: 0, more: false });
    expect(publisher.published.map((p) => p.attributes[RELEASE_OF_ATTRIBUTE])).toEqual(['m-fresh']);
    expect(queue.status.get('old|EMAIL')).toBe('expired');
  });

  test('when a publish fails, then it is counted, the row stays claimed, and the first error is kept for the log', async () => {
    const { queue, publisher, release } = setup({ concurrency: 1 });
    queue.due = [aRow('a'), aRow('b')];
    publisher.failFor.add('a');
    const result = await release();
    expect(result).toMatchObject({ released: 0, failed: 2, more: false });
    expect(result.error).toBe('PUBLISH_UNAVAILABLE: publishing to notifications failed: UNAVAILABLE');
    expect(queue.status.get('a|EMAIL')).toBe('releasing');
  });

  test('when a publish fails, then rows not yet started go back to held instead of waiting behind the failed one', async () => {
    const { queue, publisher, release } = setup({ concurrency: 1 });
    queue.due = [aRow('a'), aRow('b'), aRow('c')];
    publisher.failFor.add('b');
    expect(await release()).toMatchObject({ released: 1, failed: 2 });
    expect(queue.unclaimed).toEqual(['c']);
    expect(Object.fromEntries(queue.status)).toEqual({ 'a|EMAIL': 'released', 'b|EMAIL': 'releasing', 'c|EMAIL': 'held' });
  });

  test('when publishes run concurrently and one fails, then those already in flight still finish', async () => {
    const { queue, publisher, release } = setup({ concurrency: 4 });
    queue.due = [aRow('a'), aRow('b'), aRow('c')];
    publisher.failFor.add('a');
    expect(await release()).toMatchObject({ released: 2, failed: 1 });
    expect(queue.unclaimed).toEqual([]);
  });

  test('when marking a published row fails (MySQL down), then it is counted as failed and stays claimed', async () => {
    const { queue, release } = setup();
    queue.due = [aRow('a')];
    queue.markError = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)');
    expect(await release()).toEqual({ released: 0, expired: 0, failed: 1, more: false, error: 'DATABASE_UNAVAILABLE: MySQL unavailable (ECONNREFUSED)' });
  });

  test('when the claim itself fails, then the error reaches the caller and nothing is published', async () => {
    const { queue, publisher, release } = setup();
    queue.due = [aRow('a')];
    queue.claimError = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)');
    await expect(release()).rejects.toThrow('MySQL unavailable');
    expect(publisher.published).toEqual([]);
  });

  test('when the batch is full, then more is true; when it is not, false', async () => {
    const { queue, release } = setup({ batchSize: 2 });
    queue.due = [aRow('a'), aRow('b'), aRow('c')];
    expect(await release()).toEqual({ released: 2, expired: 0, failed: 0, more: true });
    expect(await release()).toEqual({ released: 1, expired: 0, failed: 0, more: false });
    expect(await release()).toEqual({ released: 0, expired: 0, failed: 0, more: false });
  });
});
