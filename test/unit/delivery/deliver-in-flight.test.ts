import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification, IN_FLIGHT_MS } from '../fakes';

/**
 * A `sending` row younger than the delivery budget belongs to a send that may still be
 * running elsewhere (its lock's MySQL connection died mid-send, so this delivery got the
 * lock): never a second send beside it, nor an unknown-outcome verdict before it ends.
 */
describe('makeDeliver: a send in flight elsewhere', () => {
  test.each([
    ['an ordinary type', []],
    ['a resend-safe type', ['order.shipped']],
  ])('when the row has been sending for less than the budget (%s), then it is nacked 409 in_flight: nothing sent, nothing recorded', async (_, resendSafeTypes) => {
    const w = aDeliveryWorld({ resendSafeTypes });
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 1, ageMs: IN_FLIGHT_MS - 1 });

    const result = await w.deliver(aMessage(aNotification(), 'JSON', 'm-2'));

    expect(result).toMatchObject({ outcome: 'in_flight', attempt: 1 });
    expect(OUTCOMES[result.outcome]).toEqual({ status: 409, level: 'info' });
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.saves).toEqual([]);
  });

  test('when the row has been sending for the whole budget, then it is the crash window: dead-lettered SEND_OUTCOME_UNKNOWN', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 1, ageMs: IN_FLIGHT_MS });

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'dead_lettered', code: 'SEND_OUTCOME_UNKNOWN' });
    expect(w.email.sent).toEqual([]);
  });

  test('when the outcome of a send could not be recorded, then a redelivery right after is in_flight, not a second send', async () => {
    const w = aDeliveryWorld({ resendSafeTypes: ['order.shipped'] });
    w.ledger.saveError = (write) => (write.status === 'sent' ? new Error('connection lost') : undefined);
    expect((await w.deliver(aMessage(aNotification(), 'JSON', 'm-1'))).outcome).toBe('sent_unrecorded');

    const again = await w.deliver(aMessage(aNotification(), 'JSON', 'm-1'));

    expect(again.outcome).toBe('in_flight');
    expect(w.email.sent).toHaveLength(1);
  });
});
