import { OUTCOMES } from '../../../src/delivery/outcomes';
import { aDeliveryWorld, aMessage, aNotification, aReplay } from '../fakes';
import { RELEASE_OF_ATTRIBUTE } from '../../../src/codec/attributes';

const NIGHT = Date.parse('2026-12-04T14:00:00Z'); // 23:00 in Tokyo
const DAY = Date.parse('2026-12-05T03:00:00Z'); // 12:00 in Tokyo
const tokyoNights = { timeZone: 'Asia/Tokyo', startMinute: 22 * 60, endMinute: 7 * 60 };

function world(opts: Parameters<typeof aDeliveryWorld>[0] = {}) {
  const w = aDeliveryWorld(opts);
  w.clock.now = NIGHT;
  return w;
}

describe('makeDeliver: the account’s preferences', () => {
  test('when the account opted out of the type on the channel, then it is acked 204, recorded suppressed with the rule, not sent or dead-lettered', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [{ scope: 'order.*', channel: 'EMAIL', enabled: false }] });

    const result = await w.deliver(aMessage(aNotification()));

    expect(result).toMatchObject({ outcome: 'suppressed', code: 'OPTED_OUT', error: 'order.* × EMAIL: off' });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'suppressed', failureCode: 'OPTED_OUT', error: 'order.* × EMAIL: off' });
    expect(w.email.sent).toEqual([]);
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.gates.admitted).toEqual([]);
  });

  test('when the suppressed notification arrives again, then it is a duplicate: no second settings read, nothing sent', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [{ scope: '*', channel: '*', enabled: false }] });
    await w.deliver(aMessage(aNotification(), 'JSON', 'm-1'));

    expect(await w.deliver(aMessage(aNotification(), 'JSON', 'm-2'))).toMatchObject({ outcome: 'duplicate' });
    expect(w.accounts.policyReads).toBe(1);
  });

  test('when a replay reopens a failed row and the account has opted out since, then the replay reads the settings and is suppressed, not sent', async () => {
    const w = world();
    w.ledger.seed('n-1', 'EMAIL', { status: 'failed', attempts: 5 });
    w.accounts.policies.set('acct-1', { rules: [{ scope: 'order.*', channel: 'EMAIL', enabled: false }] });

    expect(await w.deliver(aReplay(aNotification(), 'm-replay'))).toMatchObject({ outcome: 'suppressed', code: 'OPTED_OUT' });
    expect(w.email.sent).toEqual([]);
  });

  test('when the type is mandatory, then an opt-out does not apply and settings are not even read', async () => {
    const w = world({ mandatoryTypes: ['security.*'] });
    w.accounts.policies.set('acct-1', { rules: [{ scope: '*', channel: '*', enabled: false }], quietHours: tokyoNights });

    const result = await w.deliver(aMessage(aNotification({ type: 'security.new_login' })));

    expect(result.outcome).toBe('sent');
    expect(w.accounts.policyReads).toBe(0);
  });

  test('when the notification has no account, then no settings are read', async () => {
    const w = world();
    await w.deliver(aMessage(aNotification({ accountId: '' })));
    expect(w.accounts.policyReads).toBe(0);
    expect(w.email.sent).toHaveLength(1);
  });
});

describe('makeDeliver: quiet hours', () => {
  test('when it arrives inside the account’s quiet hours, then it is acked 204 and held until they end, with the message kept', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [], quietHours: tokyoNights });
    const msg = aMessage(aNotification({ expiresAtMicros: BigInt(DAY + 3_600_000) * 1000n }), 'JSON', 'm-7');

    const result = await w.deliver(msg);

    expect(result).toMatchObject({ outcome: 'held', releaseAt: '2026-12-04T22:00:00.000Z' });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'held', attempts: 0, releaseAtMs: Date.parse('2026-12-04T22:00:00Z') });
    expect(w.ledger.held.get('n-1|EMAIL')).toEqual({
      data: msg.data,
      attributes: msg.attributes,
      sourceMessageId: 'm-7',
      accountId: 'acct-1',
      releaseAtMs: Date.parse('2026-12-04T22:00:00Z'),
      expiresAtMs: DAY + 3_600_000,
    });
    expect(w.email.sent).toEqual([]);
    expect(w.gates.admitted).toEqual([]);
  });

  test('when a held notification is delivered again while still quiet, then it stays held and is not sent', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [], quietHours: tokyoNights });
    await w.deliver(aMessage(aNotification(), 'JSON', 'm-1'));

    expect(await w.deliver(aMessage(aNotification(), 'JSON', 'm-2'))).toMatchObject({ outcome: 'held' });
    expect(w.email.sent).toEqual([]);
  });

  test('when the release task publishes it again, then it is sent once, and later copies are duplicates', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [], quietHours: tokyoNights });
    const original = aMessage(aNotification(), 'JSON', 'm-1');
    await w.deliver(original);
    const release = { ...aMessage(aNotification(), 'JSON', 'm-9'), attributes: { ...original.attributes, [RELEASE_OF_ATTRIBUTE]: 'm-1' } };

    expect(await w.deliver(release)).toMatchObject({ outcome: 'sent', attempt: 1 });
    expect(await w.deliver(release)).toMatchObject({ outcome: 'duplicate' });
    expect(await w.deliver(original)).toMatchObject({ outcome: 'duplicate' });
    expect(w.email.sent).toHaveLength(1);
  });

  test('when a held notification is redelivered after quiet hours end (before the release), then it is sent once', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [], quietHours: tokyoNights });
    await w.deliver(aMessage(aNotification()));
    w.clock.now = DAY;

    expect(await w.deliver(aMessage(aNotification(), 'JSON', 'm-2'))).toMatchObject({ outcome: 'sent' });
    expect(w.email.sent).toHaveLength(1);
  });

  test('when a type is mandatory, then quiet hours do not hold it', async () => {
    const w = world({ mandatoryTypes: ['security.password_reset'] });
    w.accounts.policies.set('acct-1', { rules: [], quietHours: tokyoNights });
    expect(await w.deliver(aMessage(aNotification({ type: 'security.password_reset' })))).toMatchObject({ outcome: 'sent' });
  });

  test('when a held notification has expired by its release, then it is recorded expired, not sent', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { rules: [], quietHours: tokyoNights });
    const n = aNotification({ expiresAtMicros: BigInt(NIGHT + 60_000) * 1000n });
    await w.deliver(aMessage(n));
    w.clock.now = DAY;
    const release = { ...aMessage(n, 'JSON', 'm-9'), attributes: { googclient_schemaencoding: 'JSON', [RELEASE_OF_ATTRIBUTE]: 'm-1' } };

    expect(await w.deliver(release)).toMatchObject({ outcome: 'expired' });
    expect(w.email.sent).toEqual([]);
  });
});
