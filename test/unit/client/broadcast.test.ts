import { Notification } from '../../../src/codec/notification';
import { broadcast, BroadcastError, BroadcastIo, broadcastNotificationId, BroadcastProgress } from '../../../src/client/broadcast';
import { toNotification } from '../../../src/client/notification-input';

/** Publishes into an array; `failAt` makes the n-th send (1-based) reject. */
function fakeIo(opts: { failAt?: number; clock?: { now: number } } = {}) {
  const sent: Notification[] = [];
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const io: BroadcastIo = {
    prepare: (input) => toNotification(input, { source: 'test', nowMs: 0 }),
    async send(n) {
      calls++;
      if (calls === opts.failAt) throw new Error('DEADLINE_EXCEEDED');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      sent.push(n);
      return String(calls);
    },
    ...(opts.clock && { nowMs: () => opts.clock!.now }),
  };
  return { io, sent, maxInFlight: () => maxInFlight };
}

const build = (email: string) => ({
  type: 'promo.spring',
  channel: 'EMAIL' as const,
  email: { to: email, subject: 'Spring sale', text: 'Hello' },
});

async function* streamOf(count: number) {
  for (let i = 0; i < count; i++) yield `user${i}@example.com`;
}

describe('broadcastNotificationId', () => {
  it('when called twice with the same broadcast and recipient, then the ID is the same', () => {
    expect(broadcastNotificationId('spring', 'a@example.com')).toBe(broadcastNotificationId('spring', 'a@example.com'));
  });

  it('when the broadcast or the recipient differs, then the ID differs', () => {
    const ids = new Set([
      broadcastNotificationId('spring', 'a'),
      broadcastNotificationId('spring', 'b'),
      broadcastNotificationId('summer', 'a'),
      broadcastNotificationId('sprin', 'ga'),
    ]);
    expect(ids.size).toBe(4);
  });

  it('when the broadcast ID has the maximum length, then the ID fits the 128-character limit', () => {
    expect(broadcastNotificationId('b'.repeat(64), 'x').length).toBeLessThanOrEqual(128);
  });
});

describe('broadcast', () => {
  it('when recipients stream from an async iterable, then each gets one notification with a derived ID', async () => {
    const { io, sent } = fakeIo();
    const result = await broadcast({ broadcastId: 'spring', recipients: streamOf(25), build }, io);
    expect(result).toMatchObject({ read: 25, published: 25, rejected: 0 });
    expect(new Set(sent.map((n) => n.notificationId)).size).toBe(25);
    expect(sent.find((n) => n.email?.to === 'user7@example.com')?.notificationId).toBe(
      broadcastNotificationId('spring', 'user7@example.com'),
    );
  });

  it('when run twice, then the same IDs are published both times', async () => {
    const first = fakeIo();
    const second = fakeIo();
    await broadcast({ broadcastId: 'spring', recipients: streamOf(10), build }, first.io);
    await broadcast({ broadcastId: 'spring', recipients: streamOf(10), build }, second.io);
    const ids = (s: Notification[]) => s.map((n) => n.notificationId).sort();
    expect(ids(second.sent)).toEqual(ids(first.sent));
  });

  it('when maxOutstanding is small, then no more publishes than that are awaiting an answer', async () => {
    const { io, maxInFlight } = fakeIo();
    await broadcast({ broadcastId: 'b', recipients: streamOf(50), build, maxOutstanding: 3 }, io);
    expect(maxInFlight()).toBeLessThanOrEqual(3);
  });

  it('when a recipient is invalid, then it is skipped, reported with its problems, and the rest are published', async () => {
    const { io, sent } = fakeIo();
    const rejected: string[] = [];
    const result = await broadcast(
      {
        broadcastId: 'b',
        recipients: ['a@example.com', 'broken', 'c@example.com'],
        build,
        onRejected: (r) => rejected.push(`${r.index} ${r.key} ${r.problems.map((p) => p.field).join()}`),
      },
      io,
    );
    expect(result).toMatchObject({ read: 3, published: 2, rejected: 1 });
    expect(rejected).toEqual(['1 broken email.to']);
    expect(sent.map((n) => n.email?.to)).toEqual(['a@example.com', 'c@example.com']);
  });

  it('when recipients are objects, then their id is the key, or keyOf decides', async () => {
    const { io, sent } = fakeIo();
    const people = [{ id: 7, email: 'a@example.com' }];
    await broadcast({ broadcastId: 'b', recipients: people, build: (p) => build(p.email) }, io);
    await broadcast({ broadcastId: 'b', recipients: people, build: (p) => build(p.email), keyOf: (p) => p.email }, io);
    expect(sent.map((n) => n.notificationId)).toEqual([
      broadcastNotificationId('b', '7'),
      broadcastNotificationId('b', 'a@example.com'),
    ]);
  });

  it('when a recipient has no id and no keyOf is given, then the broadcast fails naming the fix', async () => {
    const { io } = fakeIo();
    await expect(broadcast({ broadcastId: 'b', recipients: [{ email: 'a@example.com' }], build: (p) => build(p.email) }, io)).rejects.toThrow(
      /keyOf/,
    );
  });

  it('when a publish fails, then the broadcast stops with the counts and says re-running is safe', async () => {
    const { io } = fakeIo({ failAt: 5 });
    const error = await broadcast({ broadcastId: 'b', recipients: streamOf(100), build, maxOutstanding: 2 }, io).catch((e) => e);
    expect(error).toBeInstanceOf(BroadcastError);
    expect(error.message).toMatch(/DEADLINE_EXCEEDED.*Run the same broadcast again/);
    expect(error.progress.published).toBeLessThan(100);
    expect(error.progress.read).toBeLessThan(100);
  });

  it('when build throws part-way, then the publishes already started are answered before the error surfaces', async () => {
    const { io, sent } = fakeIo();
    const failingBuild = (email: string, index: number) => {
      if (index === 3) throw new Error('template bug');
      return build(email);
    };
    await expect(broadcast({ broadcastId: 'b', recipients: streamOf(10), build: failingBuild }, io)).rejects.toThrow('template bug');
    expect(sent).toHaveLength(3);
  });

  it('when the broadcast ID is empty or too long, then it is refused before anything is read', async () => {
    const { io, sent } = fakeIo();
    await expect(broadcast({ broadcastId: '', recipients: ['a@example.com'], build }, io)).rejects.toThrow(/broadcastId/);
    await expect(broadcast({ broadcastId: 'x'.repeat(65), recipients: ['a@example.com'], build }, io)).rejects.toThrow(/broadcastId/);
    expect(sent).toEqual([]);
  });

  it('when a rate cap is set, then sends are spaced by the clock and progress is reported at the end', async () => {
    const clock = { now: 0 };
    const { io } = fakeIo({ clock });
    const timer = setInterval(() => (clock.now += 100), 1);
    const progress: BroadcastProgress[] = [];
    try {
      await broadcast({ broadcastId: 'b', recipients: streamOf(5), build, ratePerSecond: 10, onProgress: (p) => progress.push(p) }, io);
    } finally {
      clearInterval(timer);
    }
    // 5 sends at 10/s: the last is due 400 ms after the start.
    expect(progress.at(-1)).toMatchObject({ done: true, published: 5 });
    expect(progress.at(-1)!.elapsedMs).toBeGreaterThanOrEqual(400);
  });
});
