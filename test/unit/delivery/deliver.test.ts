import { TransientError } from '../../../src/delivery/failures';
import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification } from '../fakes';

describe('makeDeliver: sent, duplicate, lock and expiry', () => {
  test('when a valid notification is delivered, then it is sent once, recorded sent and acked 204', async () => {
    const w = aDeliveryWorld();
    const n = aNotification();

    const result = await w.deliver(aMessage(n));

    expect(result).toMatchObject({ outcome: 'sent', messageId: 'm-1', notificationId: 'n-1', channel: 'EMAIL', attempt: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.email.sent).toEqual([n]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: 'provider-1', messageId: 'm-1' });
  });

  test('when the message is BINARY encoded, then it is decoded and sent', async () => {
    const w = aDeliveryWorld();

    const result = await w.deliver(aMessage(aNotification(), 'BINARY'));

    expect(result.outcome).toBe('sent');
    expect(w.email.sent).toHaveLength(1);
  });

  test('when the same notification is delivered twice, then the second is a duplicate via the fast path: no lock, no send', async () => {
    const w = aDeliveryWorld();
    await w.deliver(aMessage(aNotification(), 'JSON', 'm-1'));
    const locksBefore = w.ledger.lockCalls;

    const result = await w.deliver(aMessage(aNotification(), 'JSON', 'm-2'));

    expect(result).toMatchObject({ outcome: 'duplicate', attempt: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.ledger.lockCalls).toBe(locksBefore);
    expect(w.email.sent).toHaveLength(1);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', messageId: 'm-1' });
  });

  test.each(['sent', 'failed', 'expired', 'suppressed', 'unknown'] as const)(
    'when the ledger row is already %s, then it is a duplicate without a lock or a send',
    async (status) => {
      const w = aDeliveryWorld();
      w.ledger.seed('n-1', 'EMAIL', { status, attempts: 2 });

      const result = await w.deliver(aMessage(aNotification()));

      expect(result).toMatchObject({ outcome: 'duplicate', attempt: 2 });
      expect(OUTCOMES[result.outcome].status).toBe(204);
      expect(w.ledger.lockCalls).toBe(0);
      expect(w.email.sent).toEqual([]);
      expect(w.ledger.row('n-1')).toEqual({ status, attempts: 2 });
    },
  );

  test('when another process records it sent while we wait for the lock, then it is a duplicate and nothing is sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.onLocked = () => w.ledger.seed('n-1', 'EMAIL', { status: 'sent', attempts: 1 });

    const result = await w.deliver(aMessage(aNotification()));

    expect(result.outcome).toBe('duplicate');
    expect(w.email.sent).toEqual([]);
  });

  test('when another process holds the lock, then it is lock_busy 409, nothing sent, recorded or dead-lettered', async () => {
    const w = aDeliveryWorld();
    w.ledger.holdElsewhere('n-1');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'lock_busy', notificationId: 'n-1', channel: 'EMAIL' });
    expect(OUTCOMES[result.outcome].status).toBe(409);
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toBeUndefined();
  });

  test('when the notification has expired, then it is recorded expired, not sent, not dead-lettered, 204', async () => {
    const w = aDeliveryWorld();
    const expiresAtMicros = BigInt(w.clock.now - 1) * 1000n;

    const result = await w.deliver(aMessage(aNotification({ expiresAtMicros })));

    expect(result).toMatchObject({ outcome: 'expired', attempt: 0 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'expired', attempts: 0 });
  });

  test('when the expiry is exactly now, then it is expired', async () => {
    const w = aDeliveryWorld();

    const result = await w.deliver(aMessage(aNotification({ expiresAtMicros: BigInt(w.clock.now) * 1000n })));

    expect(result.outcome).toBe('expired');
  });

  test('when the expiry is in the future, then it is sent', async () => {
    const w = aDeliveryWorld();

    const result = await w.deliver(aMessage(aNotification({ expiresAtMicros: BigInt(w.clock.now + 1) * 1000n })));

    expect(result.outcome).toBe('sent');
  });
});

describe('makeDeliver: ledger trouble', () => {
  test('when ledger.find throws DATABASE_UNAVAILABLE, then it is retry 503 and nothing is sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.findError = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DATABASE_UNAVAILABLE' });
    expect(OUTCOMES[result.outcome].status).toBe(503);
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
  });

  test('when taking the lock fails because the database is down, then it is retry 503 and nothing is sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.lockError = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ETIMEDOUT)');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DATABASE_UNAVAILABLE' });
    expect(OUTCOMES[result.outcome].status).toBe(503);
    expect(w.email.sent).toEqual([]);
  });

  test('when recording "sending" fails, then it is retry 503 and nothing is sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.saveError = (write) =>
      write.status === 'sending' ? new TransientError('DATABASE_UNAVAILABLE', 'gone') : undefined;

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DATABASE_UNAVAILABLE' });
    expect(w.email.sent).toEqual([]);
  });

  test('when the ledger cannot record a successful send, then it is sent_unrecorded 204, logged as an error, and the row stays sending', async () => {
    const w = aDeliveryWorld();
    const dbDown = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (PROTOCOL_CONNECTION_LOST)');
    w.ledger.saveError = (write) => (write.status === 'sent' ? dbDown : undefined);

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'sent_unrecorded', attempt: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.email.sent).toHaveLength(1);
    expect(OUTCOMES[result.outcome].level).toBe('error');
    expect(result.error).toBe('MySQL unavailable (PROTOCOL_CONNECTION_LOST)');
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sending', attempts: 1 });
  });

  test('when a row was left sending by a crash (older than the delivery budget), then it is dead-lettered SEND_OUTCOME_UNKNOWN, recorded unknown, not sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 2 });

    const result = await w.deliver(aMessage(aNotification(), 'JSON', 'm-7'));

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'SEND_OUTCOME_UNKNOWN', attempt: 2 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([
      expect.objectContaining({
        code: 'SEND_OUTCOME_UNKNOWN',
        failureClass: 'unknown_outcome',
        attempts: 2,
        channel: 'EMAIL',
        sourceMessageId: 'm-7',
      }),
    ]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'unknown', attempts: 2, failureCode: 'SEND_OUTCOME_UNKNOWN' });
  });

  test('when a row was left sending by a crash and the type is resend-safe, then it is sent again', async () => {
    const w = aDeliveryWorld({ resendSafeTypes: ['order.shipped'] });
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 2 });

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'sent', attempt: 3 });
    expect(w.email.sent).toHaveLength(1);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', attempts: 3 });
  });

  test('when the unknown-outcome dead-letter cannot be published, then it is retry 503 and the row stays sending', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 1 });
    w.deadLetters.failure = new TransientError('DEAD_LETTER_UNAVAILABLE', 'publish failed');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DEAD_LETTER_UNAVAILABLE' });
    expect(w.email.sent).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sending' });
  });
});
