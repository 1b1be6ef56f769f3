import fc from 'fast-check';
import { OutcomeUnknownError, PermanentError, TransientError } from '../../src/delivery/failures';
import { aDeliveryWorld, aMessage, aNotification, DeliveryWorld, IN_FLIGHT_MS } from '../unit/fakes';

/**
 * The delivery use case under arbitrary sequences of provider and ledger faults: whatever
 * each attempt meets, a notification that is not resend-safe reaches the recipient at most
 * once, a `sent` row means it did, and a `failed` row means it did not.
 */

/** What the provider does with one send; `delivered` says whether the recipient got it. */
const PROVIDER = {
  accepted: { delivered: true, error: undefined },
  refused_before_hand_over: { delivered: false, error: () => new TransientError('PROVIDER_UNAVAILABLE', 'refused') },
  deferred: { delivered: false, error: () => new TransientError('RECIPIENT_DEFERRED', 'greylisted') },
  rejected: { delivered: false, error: () => new PermanentError('INVALID_RECIPIENT', 'no such mailbox') },
  late_answer_delivered: { delivered: true, error: () => new OutcomeUnknownError('no reply after hand-over') },
  late_answer_lost: { delivered: false, error: () => new OutcomeUnknownError('no reply after hand-over') },
} as const;

/** What goes wrong around the send: its outcome not recorded, the lock lost while it runs, no dead letters. */
const LEDGER_FAULTS = ['none', 'outcome_not_recorded', 'lock_lost_mid_send', 'dead_letter_down'] as const;

const attempt = fc.record({
  provider: fc.constantFrom(...(Object.keys(PROVIDER) as (keyof typeof PROVIDER)[])),
  ledger: fc.constantFrom(...LEDGER_FAULTS),
  /** Time between this delivery and the previous one: Pub/Sub's backoff, short or long. */
  waitMs: fc.integer({ min: 0, max: 2 * IN_FLIGHT_MS }),
  /** A redelivery of the same message, or the producer publishing the notification again. */
  messageId: fc.constantFrom('m-1', 'm-2'),
});

type Attempt = typeof attempt extends fc.Arbitrary<infer T> ? T : never;

interface Run {
  world: DeliveryWorld;
  delivered: number;
  /** Outcomes of the copies that got the lock while a send was running. */
  copies: string[];
}

async function play(attempts: Attempt[]): Promise<Run> {
  const world = aDeliveryWorld({ maxAttempts: 4 });
  const run: Run = { world, delivered: 0, copies: [] };
  const n = aNotification();
  let current = attempts[0]!;
  world.email.send = async () => {
    const behaviour = PROVIDER[current.provider];
    if (current.ledger === 'lock_lost_mid_send') {
      // The lock's connection died: a copy of the message gets the lock while this send runs.
      world.ledger.loseLock('n-1');
      run.copies.push((await world.deliver(aMessage(n, 'JSON', current.messageId))).outcome);
    }
    if (behaviour.delivered) run.delivered++;
    if (behaviour.error) throw behaviour.error();
    return { providerMessageId: `p-${run.delivered}` };
  };
  world.ledger.saveError = (w) => (current.ledger === 'outcome_not_recorded' && w.status !== 'sending' ? new Error('connection lost') : undefined);
  for (const a of attempts) {
    current = a;
    world.deadLetters.failure = a.ledger === 'dead_letter_down' ? new TransientError('DEAD_LETTER_UNAVAILABLE', 'down') : undefined;
    world.clock.now += a.waitMs;
    await world.deliver(aMessage(n, 'JSON', a.messageId));
  }
  return run;
}

describe('delivery under arbitrary provider and ledger faults', () => {
  test('when any sequence of faults meets redeliveries, then the recipient gets it at most once, and the ledger never contradicts what happened', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { minLength: 1, maxLength: 12 }), async (attempts) => {
        const { world, delivered, copies } = await play(attempts);
        expect(delivered).toBeLessThanOrEqual(1);
        // A copy beside a running send is never a second send, nor a verdict on it.
        expect(copies.filter((o) => o !== 'in_flight')).toEqual([]);
        const status = world.ledger.row('n-1')?.status;
        if (status === 'sent') expect(delivered).toBe(1);
        if (status === 'failed' || status === 'pending') expect(delivered).toBe(0);
        const codes = world.deadLetters.deadLettered.map((r) => r.code);
        // A delivered notification is never dead-lettered as failed: a replay would send it again.
        if (delivered === 1) expect(codes.filter((c) => c !== 'SEND_OUTCOME_UNKNOWN')).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});
