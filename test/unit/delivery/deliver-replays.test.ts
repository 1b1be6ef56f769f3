import { PermanentError, TransientError } from '../../../src/delivery/failures';
import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification, aReplay } from '../fakes';

describe('makeDeliver: a replay of a failed notification', () => {
  test('when a failed notification is replayed, then it is sent once, with replays 1 and attempts counted afresh', async () => {
    const w = aDeliveryWorld({ maxAttempts: 3 });
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 3 });

    const result = await w.deliver(aReplay(aNotification(), 'r-1'));

    expect(result).toMatchObject({ outcome: 'sent', messageId: 'r-1', attempt: 1, replay: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.email.sent).toHaveLength(1);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', attempts: 1, replays: 1, lastReplayMessageId: 'r-1' });
    // The replay is recorded by the same write that claims the send: no extra round trip.
    expect(w.ledger.saves.map((s) => s.status)).toEqual(['sending', 'sent']);
    expect(w.ledger.saves[0]).toMatchObject({ status: 'sending', attempts: 1, replays: 1, lastReplayMessageId: 'r-1' });
  });

  test('when the replay fails again and the same replay message is redelivered, then it is a duplicate: no send, no replay spent', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1 });
    w.email.failure = new PermanentError('PROVIDER_REJECTED', 'SMTP 550');
    expect((await w.deliver(aReplay(aNotification(), 'r-1'))).outcome).toBe('dead_lettered');
    w.email.failure = undefined;
    const locksBefore = w.ledger.lockCalls;

    const result = await w.deliver(aReplay(aNotification(), 'r-1'));

    expect(result).toMatchObject({ outcome: 'duplicate', attempt: 1 });
    expect(w.ledger.lockCalls).toBe(locksBefore);
    expect(w.email.sent).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', replays: 1, lastReplayMessageId: 'r-1' });
  });

  test('when the same replay message is found used only under the lock, then it is a duplicate and nothing is sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1 });
    // Another instance ran this replay to failure between our fast-path read and our lock.
    w.ledger.onLocked = () =>
      w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1, replays: 1, lastReplayMessageId: 'r-1' });

    const result = await w.deliver(aReplay(aNotification(), 'r-1'));

    expect(result.outcome).toBe('duplicate');
    expect(w.email.sent).toEqual([]);
    expect(w.ledger.saves).toEqual([]);
  });

  test.each([
    [3, 3],
    [0, 0],
  ])('when %i of MAX_REPLAYS=%i replays are spent, then a further replay is replay_refused 204: not sent, not dead-lettered, ledger unchanged', async (replays, maxReplays) => {
    const w = aDeliveryWorld({ maxReplays });
    const seeded = { status: 'failed' as const, attempts: 2, replays, lastReplayMessageId: replays ? 'r-3' : undefined };
    w.ledger.seed('n-1', 'EMAIL', seeded);

    const result = await w.deliver(aReplay(aNotification(), 'r-4'));

    expect(result).toMatchObject({ outcome: 'replay_refused', attempt: 2 });
    expect(result.error).toContain('MAX_REPLAYS');
    expect(OUTCOMES[result.outcome]).toEqual({ status: 204, level: 'warn' });
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.saves).toEqual([]);
    expect(w.ledger.row('n-1')).toEqual(seeded);
  });

  test.each(['sent', 'expired', 'suppressed', 'unknown'] as const)(
    'when the ledger row is %s and a replay arrives, then it is a duplicate without a lock or a send',
    async (status) => {
      const w = aDeliveryWorld();
      w.ledger.seed('n-1', 'EMAIL', { status, attempts: 1 });

      const result = await w.deliver(aReplay(aNotification(), 'r-1'));

      expect(result).toMatchObject({ outcome: 'duplicate', attempt: 1 });
      expect(w.ledger.lockCalls).toBe(0);
      expect(w.email.sent).toEqual([]);
      expect(w.ledger.row('n-1')).toEqual({ status, attempts: 1 });
    },
  );

  test('when a replay arrives and the notification has no ledger row, then it is delivered normally and no replay is counted', async () => {
    const w = aDeliveryWorld();

    const result = await w.deliver(aReplay(aNotification(), 'r-1'));

    expect(result).toMatchObject({ outcome: 'sent', attempt: 1 });
    expect(result.replay).toBeUndefined();
    expect(w.email.sent).toHaveLength(1);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', attempts: 1, replays: 0, lastReplayMessageId: undefined });
  });

  test('when a replay fails transiently, then it is pending with replays 1, and its redelivery retries without spending another replay', async () => {
    const w = aDeliveryWorld({ maxReplays: 1 });
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 5 });
    w.email.failure = new TransientError('PROVIDER_UNAVAILABLE', 'SMTP 421');

    const first = await w.deliver(aReplay(aNotification(), 'r-1'));
    w.email.failure = undefined;
    const second = await w.deliver(aReplay(aNotification(), 'r-1'));

    expect(first).toMatchObject({ outcome: 'retry', code: 'PROVIDER_UNAVAILABLE', attempt: 1, replay: 1 });
    expect(OUTCOMES[first.outcome].status).toBe(503);
    expect(second).toMatchObject({ outcome: 'sent', attempt: 2 });
    expect(w.email.sent).toHaveLength(1);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', attempts: 2, replays: 1, lastReplayMessageId: 'r-1' });
  });

  test('when a replay exhausts MAX_ATTEMPTS, then it is dead-lettered with its own attempt count and the replay attribute kept', async () => {
    const w = aDeliveryWorld({ maxAttempts: 2 });
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 2 });
    w.email.failure = new TransientError('PROVIDER_TIMEOUT', 'timed out');

    await w.deliver(aReplay(aNotification(), 'r-1', 'm-orig'));
    const result = await w.deliver(aReplay(aNotification(), 'r-1', 'm-orig'));

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'ATTEMPTS_EXHAUSTED', attempt: 2 });
    expect(w.deadLetters.deadLettered).toEqual([
      expect.objectContaining({ attempts: 2, sourceMessageId: 'r-1', attributes: expect.objectContaining({ notifier_replay_of: 'm-orig' }) }),
    ]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', attempts: 2, replays: 1, lastReplayMessageId: 'r-1' });
  });

  test('when recording the replayed send fails, then it is retry 503 and the replay is not spent: its redelivery is accepted', async () => {
    const w = aDeliveryWorld({ maxReplays: 1 });
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1 });
    w.ledger.saveError = () => new TransientError('DATABASE_UNAVAILABLE', 'gone');

    const first = await w.deliver(aReplay(aNotification(), 'r-1'));
    w.ledger.saveError = () => undefined;
    const second = await w.deliver(aReplay(aNotification(), 'r-1'));

    expect(first).toMatchObject({ outcome: 'retry', code: 'DATABASE_UNAVAILABLE' });
    expect(second).toMatchObject({ outcome: 'sent', attempt: 1, replay: 1 });
    expect(w.email.sent).toHaveLength(1);
  });

  test('when a replayed notification has expired meanwhile, then it is recorded expired with the replay counted, and not sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1 });
    const expiresAtMicros = BigInt(w.clock.now - 1) * 1000n;

    const result = await w.deliver(aReplay(aNotification({ expiresAtMicros }), 'r-1'));

    expect(result).toMatchObject({ outcome: 'expired', attempt: 0, replay: 1 });
    expect(w.email.sent).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'expired', attempts: 0, replays: 1, lastReplayMessageId: 'r-1' });
  });
});

describe('makeDeliver: a failed notification without the replay attribute', () => {
  test('when a plain message finds a failed row with replays left, then it is a duplicate as before: no lock, no send', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1, replays: 1, lastReplayMessageId: 'r-1' });

    const result = await w.deliver(aMessage(aNotification(), 'JSON', 'm-9'));

    expect(result).toMatchObject({ outcome: 'duplicate', attempt: 1 });
    expect(w.ledger.lockCalls).toBe(0);
    expect(w.email.sent).toEqual([]);
  });
});
