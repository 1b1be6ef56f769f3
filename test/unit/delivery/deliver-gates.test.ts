import { OutcomeUnknownError, TransientError } from '../../../src/delivery/failures';
import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification } from '../fakes';

describe('makeDeliver: provider gates (rate limit, circuit breaker)', () => {
  test.each([
    ['rate_limited', 429],
    ['circuit_open', 503],
  ] as const)('when the gate refuses as %s, then it is nacked %i before the lock: no ledger write, no send', async (outcome, status) => {
    const w = aDeliveryWorld();
    w.gates.refusal = { admitted: false, outcome, retryInMs: 750 };

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome, channel: 'EMAIL', error: 'provider fake-provider: retry in 750 ms' });
    expect(OUTCOMES[result.outcome].status).toBe(status);
    expect(w.ledger.lockCalls).toBe(0);
    expect(w.ledger.saves).toEqual([]);
    expect(w.email.sent).toEqual([]);
  });

  test('when a refused delivery comes back and is admitted, then its attempt count starts at 1 (refusals are not attempts)', async () => {
    const w = aDeliveryWorld({ maxAttempts: 2 });
    w.gates.refusal = { admitted: false, outcome: 'rate_limited', retryInMs: 100 };
    for (let i = 0; i < 5; i++) await w.deliver(aMessage(aNotification()));
    w.gates.refusal = undefined;

    expect(await w.deliver(aMessage(aNotification()))).toMatchObject({ outcome: 'sent', attempt: 1 });
  });

  test('when the delivery is admitted and sent, then the gate is asked for the channel and provider and settled without an error', async () => {
    const w = aDeliveryWorld();

    await w.deliver(aMessage(aNotification()));

    expect(w.gates.admitted).toEqual([{ channel: 'EMAIL', provider: 'fake-provider' }]);
    expect(w.gates.settled).toEqual([undefined]);
    expect(w.gates.cancelled).toBe(0);
  });

  test('when the send fails, then the gate is settled with that error', async () => {
    const w = aDeliveryWorld();
    const failure = new TransientError('PROVIDER_UNAVAILABLE', 'down');
    w.email.failure = failure;

    await w.deliver(aMessage(aNotification()));

    expect(w.gates.settled).toEqual([failure]);
  });

  test('when the fast path finds a duplicate, then the gate is not consulted', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'sent', attempts: 1 });

    await w.deliver(aMessage(aNotification()));

    expect(w.gates.admitted).toEqual([]);
  });

  test.each([
    ['another process records it sent while we wait for the lock', (w: ReturnType<typeof aDeliveryWorld>) => {
      w.ledger.onLocked = () => w.ledger.seed('n-1', 'EMAIL', { status: 'sent', attempts: 1 });
    }],
    ['the lock is held elsewhere', (w: ReturnType<typeof aDeliveryWorld>) => w.ledger.holdElsewhere('n-1')],
    ['the ledger cannot be reached', (w: ReturnType<typeof aDeliveryWorld>) => {
      w.ledger.lockError = new TransientError('DATABASE_UNAVAILABLE', 'down');
    }],
  ])('when %s, then no call is made and the permit is handed back', async (_, arrange) => {
    const w = aDeliveryWorld();
    arrange(w);

    await w.deliver(aMessage(aNotification()));

    expect(w.email.sent).toEqual([]);
    expect(w.gates.cancelled).toBe(1);
    expect(w.gates.settled).toEqual([]);
  });

  test('when the notification has expired, then no call is made and the permit is handed back', async () => {
    const w = aDeliveryWorld();

    await w.deliver(aMessage(aNotification({ expiresAtMicros: 1n })));

    expect(w.gates.cancelled).toBe(1);
  });
});

describe('makeDeliver: the provider may have accepted it (OutcomeUnknownError)', () => {
  test('when no answer came after sending, then it is dead-lettered SEND_OUTCOME_UNKNOWN, recorded unknown, and never resent', async () => {
    const w = aDeliveryWorld();
    w.email.failure = new OutcomeUnknownError('twilio: timed out after the request was sent');
    const msg = aMessage(aNotification(), 'JSON', 'm-9');

    const result = await w.deliver(msg);

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'SEND_OUTCOME_UNKNOWN', attempt: 1 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.deadLetters.deadLettered).toMatchObject([{ code: 'SEND_OUTCOME_UNKNOWN', failureClass: 'unknown_outcome', attempts: 1 }]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'unknown', failureCode: 'SEND_OUTCOME_UNKNOWN' });

    w.email.failure = undefined;
    expect(await w.deliver(aMessage(aNotification(), 'JSON', 'm-10'))).toMatchObject({ outcome: 'duplicate' });
    expect(w.email.sent).toEqual([]);
  });

  test('when the type is declared safe to resend, then it is retried like a transient failure until MAX_ATTEMPTS', async () => {
    const w = aDeliveryWorld({ maxAttempts: 2, resendSafeTypes: ['order.shipped'] });
    w.email.failure = new OutcomeUnknownError('timed out after the request was sent');

    const first = await w.deliver(aMessage(aNotification()));
    expect(first).toMatchObject({ outcome: 'retry', code: 'SEND_OUTCOME_UNKNOWN' });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'pending', attempts: 1 });

    const second = await w.deliver(aMessage(aNotification()));
    expect(second).toMatchObject({ outcome: 'dead_lettered', code: 'ATTEMPTS_EXHAUSTED' });
    expect(w.deadLetters.deadLettered).toMatchObject([{ code: 'ATTEMPTS_EXHAUSTED', failureClass: 'unknown_outcome', attempts: 2 }]);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed' });
  });
});
