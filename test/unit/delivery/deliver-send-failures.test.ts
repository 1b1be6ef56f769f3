import { FailureCode, OutcomeUnknownError, PermanentError, TransientError } from '../../../src/delivery/failures';
import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification, IN_FLIGHT_MS } from '../fakes';

const permanentCodes: FailureCode[] = ['INVALID_RECIPIENT', 'BAD_CREDENTIALS', 'PROVIDER_REJECTED'];

describe('makeDeliver: permanent send failures', () => {
  test.each(permanentCodes)('when the provider fails permanently with %s, then it is dead-lettered with that code and recorded failed', async (code) => {
    const w = aDeliveryWorld();
    w.email.failure = new PermanentError(code, 'SMTP 550 RCPT TO');
    const msg = aMessage(aNotification(), 'JSON', 'm-4');

    const result = await w.deliver(msg);

    expect(result).toMatchObject({ outcome: 'dead_lettered', code, attempt: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.deadLetters.deadLettered).toEqual([
      {
        data: msg.data,
        attributes: msg.attributes,
        code,
        failureClass: 'permanent',
        attempts: 1,
        channel: 'EMAIL',
        sourceMessageId: 'm-4',
        error: 'SMTP 550 RCPT TO',
      },
    ]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', attempts: 1, failureCode: code });
  });

  test('when the provider error message is very long, then the recorded error is cut to 240 characters', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new PermanentError('PROVIDER_REJECTED', 'x'.repeat(5000));

    const result = await w.deliver(aMessage(aNotification()));

    expect(result.error).toHaveLength(240);
    expect(w.deadLetters.deadLettered[0]?.error).toHaveLength(240);
  });
});

describe('makeDeliver: transient send failures', () => {
  test('when the provider fails transiently on the first attempt, then it is retry 503 and recorded pending with 1 attempt', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new TransientError('PROVIDER_UNAVAILABLE', 'SMTP 421');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'PROVIDER_UNAVAILABLE', attempt: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(503);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'pending', attempts: 1, failureCode: 'PROVIDER_UNAVAILABLE' });
  });

  test('when a pending row fails transiently again below the budget, then attempts are incremented and it is retried', async () => {
    const w = aDeliveryWorld({ maxAttempts: 5 });
    w.ledger.seed('n-1', 'EMAIL', { status: 'pending', attempts: 3 });
    w.email.failure = new TransientError('PROVIDER_TIMEOUT', 'timed out');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'PROVIDER_TIMEOUT', attempt: 4 });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'pending', attempts: 4 });
  });

  test('when a pending row is delivered and the provider accepts, then it is sent with the next attempt number', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'pending', attempts: 2 });

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'sent', attempt: 3 });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', attempts: 3 });
  });

  test('when the transient failure reaches maxAttempts, then it is dead-lettered ATTEMPTS_EXHAUSTED, recorded failed, 204', async () => {
    const w = aDeliveryWorld({ maxAttempts: 3 });
    w.ledger.seed('n-1', 'EMAIL', { status: 'pending', attempts: 2 });
    w.email.failure = new TransientError('RATE_LIMITED', 'SMTP 451');

    const result = await w.deliver(aMessage(aNotification(), 'JSON', 'm-5'));

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'ATTEMPTS_EXHAUSTED', attempt: 3 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.deadLetters.deadLettered).toEqual([
      expect.objectContaining({
        code: 'ATTEMPTS_EXHAUSTED',
        failureClass: 'transient',
        attempts: 3,
        channel: 'EMAIL',
        sourceMessageId: 'm-5',
      }),
    ]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', attempts: 3, failureCode: 'ATTEMPTS_EXHAUSTED' });
  });

  test('when the channel throws a plain Error, then it is treated as transient INTERNAL: retry 503, recorded pending', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new Error('boom');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'INTERNAL' });
    expect(result.error).toContain('boom');
    expect(OUTCOMES[result.outcome].status).toBe(503);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'pending', attempts: 1, failureCode: 'INTERNAL' });
  });

  test('when a plain Error is thrown on the last attempt, then it is dead-lettered ATTEMPTS_EXHAUSTED', async () => {
    const w = aDeliveryWorld({ maxAttempts: 1 });
    w.email.failure = new Error('boom');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'ATTEMPTS_EXHAUSTED' });
    expect(w.deadLetters.deadLettered[0]).toMatchObject({ failureClass: 'transient', attempts: 1 });
  });
});

describe('makeDeliver: dead-letter publish failing after a send failure', () => {
  test('when a permanent failure cannot be dead-lettered, then it is retry 503 and the row is left pending, not failed', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new PermanentError('INVALID_RECIPIENT', 'SMTP 550');
    w.deadLetters.failure = new TransientError('DEAD_LETTER_UNAVAILABLE', 'publish failed');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DEAD_LETTER_UNAVAILABLE' });
    expect(OUTCOMES[result.outcome].status).toBe(503);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'pending', attempts: 1 });
  });

  test('when the dead-letter topic is back on the next delivery, then it re-attempts and dead-letters', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new PermanentError('INVALID_RECIPIENT', 'SMTP 550');
    w.deadLetters.failure = new TransientError('DEAD_LETTER_UNAVAILABLE', 'publish failed');
    await w.deliver(aMessage(aNotification(), 'JSON', 'm-1'));
    w.deadLetters.failure = undefined;

    const result = await w.deliver(aMessage(aNotification(), 'JSON', 'm-2'));

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'INVALID_RECIPIENT', attempt: 2 });
    expect(w.deadLetters.deadLettered).toEqual([expect.objectContaining({ attempts: 2, sourceMessageId: 'm-2' })]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', attempts: 2 });
  });

  test('when an exhausted transient failure cannot be dead-lettered, then it is retry 503 and the row is left pending', async () => {
    const w = aDeliveryWorld({ maxAttempts: 1 });
    w.email.failure = new TransientError('PROVIDER_UNAVAILABLE', 'SMTP 421');
    w.deadLetters.failure = new Error('network');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result.outcome).toBe('retry');
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'pending', attempts: 1, failureCode: 'ATTEMPTS_EXHAUSTED' });
  });

  test('when an unknown outcome cannot be dead-lettered, then it is retry 503, the row stays sending, and redeliveries never send again', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new OutcomeUnknownError('no SMTP reply after the message was handed over');
    w.deadLetters.failure = new TransientError('DEAD_LETTER_UNAVAILABLE', 'publish failed');

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'retry', code: 'DEAD_LETTER_UNAVAILABLE' });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sending', attempts: 1 });
    w.email.failure = undefined;
    w.deadLetters.failure = undefined;
    expect((await w.deliver(aMessage(aNotification()))).outcome).toBe('in_flight');
    w.clock.now += IN_FLIGHT_MS;
    expect(await w.deliver(aMessage(aNotification()))).toMatchObject({ outcome: 'dead_lettered', code: 'SEND_OUTCOME_UNKNOWN' });
    expect(w.email.sent).toEqual([]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'unknown' });
  });
});
