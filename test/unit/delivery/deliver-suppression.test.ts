import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification, aReplay, TEST_ADDRESS_HASHER } from '../fakes';

const suppress = (w: ReturnType<typeof aDeliveryWorld>, address: string, reason: 'hard_bounce' | 'complaint' | 'opt_out', mandatoryToo = reason === 'hard_bounce') =>
  w.ledger.suppressions.set(TEST_ADDRESS_HASHER('EMAIL', address).addressHash, { reason, mandatoryToo });

describe('makeDeliver: the suppression list', () => {
  test('when the recipient is on the list, then it is acked 204 and recorded suppressed ADDRESS_SUPPRESSED with the reason, not sent, not dead-lettered', async () => {
    const w = aDeliveryWorld();
    suppress(w, 'alice@example.com', 'complaint');
    const result = await w.deliver(aMessage(aNotification()));
    expect(result).toMatchObject({ outcome: 'suppressed', code: 'ADDRESS_SUPPRESSED', error: 'the address is on the suppression list (complaint)' });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'suppressed', failureCode: 'ADDRESS_SUPPRESSED' });
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
  });

  test('when the address is written differently (case, spaces), then it is the same entry', async () => {
    const w = aDeliveryWorld();
    suppress(w, ' Alice@Example.COM ', 'opt_out');
    expect(await w.deliver(aMessage(aNotification()))).toMatchObject({ outcome: 'suppressed', code: 'ADDRESS_SUPPRESSED' });
  });

  test('when the type is mandatory, then a complaint does not stop it but a hard bounce does', async () => {
    const complained = aDeliveryWorld({ mandatoryTypes: ['order.*'] });
    suppress(complained, 'alice@example.com', 'complaint');
    expect(await complained.deliver(aMessage(aNotification()))).toMatchObject({ outcome: 'sent' });

    const bounced = aDeliveryWorld({ mandatoryTypes: ['order.*'] });
    suppress(bounced, 'alice@example.com', 'hard_bounce');
    expect(await bounced.deliver(aMessage(aNotification()))).toMatchObject({ outcome: 'suppressed', code: 'ADDRESS_SUPPRESSED' });
  });

  test('when another address is on the list, then this one is sent', async () => {
    const w = aDeliveryWorld();
    suppress(w, 'bob@example.com', 'hard_bounce');
    expect(await w.deliver(aMessage(aNotification()))).toMatchObject({ outcome: 'sent' });
  });

  test('when a replay reopens a failed row after the address was suppressed, then the replay is suppressed, not sent', async () => {
    const w = aDeliveryWorld();
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 1, ageMs: 1000 });
    suppress(w, 'alice@example.com', 'hard_bounce');
    expect(await w.deliver(aReplay(aNotification(), 'm-failed', 'm-replay'))).toMatchObject({ outcome: 'suppressed', code: 'ADDRESS_SUPPRESSED' });
    expect(w.email.sent).toEqual([]);
  });
});
