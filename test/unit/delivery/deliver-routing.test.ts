import { decodeNotification } from '../../../src/codec/codec';
import { CHANNELS } from '../../../src/codec/notification';
import { TransientError } from '../../../src/delivery/failures';
import { OUTCOMES } from '../../../src/delivery/outcomes';
import { targetKey } from '../../../src/delivery/routing';
import { aDeliveryWorld, aMessage, aNotification, FakeChannel } from '../fakes';

const content = { title: 'Shipped', body: 'It arrives Friday.', url: '', data: {} };
const routed = () => aNotification({ channel: CHANNELS.CHANNEL_UNSPECIFIED, email: undefined, content });

function world() {
  const sms = new FakeChannel('SMS');
  const w = aDeliveryWorld({ channels: [sms] });
  w.accounts.contactLists.set('acct-1', [
    { channel: 'EMAIL', address: 'alice@example.com' },
    { channel: 'SMS', address: '+819012345678' },
    { channel: 'LINE', address: `U${'a'.repeat(32)}` }, // LINE is not configured in this world
  ]);
  return { ...w, sms };
}

describe('makeDeliver: a routed notification (no channel, an account, content)', () => {
  test('when it arrives, then one message per contact on a configured channel is published, and the fan-out is recorded', async () => {
    const w = world();
    const msg = { ...aMessage(routed(), 'JSON', 'm-r'), attributes: { googclient_schemaencoding: 'JSON', origin: 'orders-api' } };

    const result = await w.deliver(msg);

    expect(result).toMatchObject({ outcome: 'routed', channel: 'ROUTED', targets: 2 });
    expect(OUTCOMES[result.outcome].status).toBe(204);
    expect(w.publisher.published.map((p) => p.attributes)).toEqual([
      { origin: 'orders-api', notifier_routed_from: 'm-r', notifier_target: targetKey('EMAIL', 'alice@example.com'), channel: 'EMAIL' },
      { origin: 'orders-api', notifier_routed_from: 'm-r', notifier_target: targetKey('SMS', '+819012345678'), channel: 'SMS' },
    ]);
    const [email, sms] = w.publisher.published.map((p) => decodeNotification(p.data, 'JSON'));
    expect(email).toMatchObject({ notificationId: 'n-1', channel: CHANNELS.EMAIL, email: { to: 'alice@example.com', subject: 'Shipped' } });
    expect(sms).toMatchObject({ notificationId: 'n-1', channel: CHANNELS.SMS, sms: { to: '+819012345678', body: 'Shipped\nIt arrives Friday.' } });
    expect(w.ledger.row('n-1', 'ROUTED')).toMatchObject({ status: 'sent', providerMessageId: '2 messages' });
    expect(w.email.sent).toEqual([]);
  });

  test('when the routed message arrives again after its fan-out, then it is a duplicate and nothing is published again', async () => {
    const w = world();
    await w.deliver(aMessage(routed(), 'JSON', 'm-1'));

    expect(await w.deliver(aMessage(routed(), 'JSON', 'm-2'))).toMatchObject({ outcome: 'duplicate' });
    expect(w.publisher.published).toHaveLength(2);
  });

  test('when a per-contact message comes back, then it is delivered on its channel under its own ledger key', async () => {
    const w = world();
    await w.deliver(aMessage(routed(), 'JSON', 'm-r'));
    const smsMessage = w.publisher.published[1]!;

    const result = await w.deliver({ messageId: 'm-s', data: smsMessage.data, attributes: smsMessage.attributes });

    expect(result).toMatchObject({ outcome: 'sent', channel: 'SMS' });
    expect(w.sms.sent).toHaveLength(1);
    expect(w.ledger.row('n-1', targetKey('SMS', '+819012345678'))).toMatchObject({ status: 'sent' });
  });

  test('when publishing fails, then it is nacked and nothing is recorded, so the redelivery publishes again', async () => {
    const w = world();
    w.publisher.failure = new TransientError('PUBLISH_UNAVAILABLE', 'publishing failed');

    expect(await w.deliver(aMessage(routed()))).toMatchObject({ outcome: 'retry', code: 'PUBLISH_UNAVAILABLE' });
    expect(w.ledger.row('n-1', 'ROUTED')).toBeUndefined();
    w.publisher.failure = undefined;
    expect(await w.deliver(aMessage(routed()))).toMatchObject({ outcome: 'routed' });
  });

  test('when the account has no contact on a configured channel, then it is acked and recorded suppressed NO_CONTACT', async () => {
    const w = world();
    w.accounts.contactLists.set('acct-1', [{ channel: 'LINE', address: `U${'a'.repeat(32)}` }]);

    const result = await w.deliver(aMessage(routed()));

    expect(result).toMatchObject({ outcome: 'suppressed', code: 'NO_CONTACT' });
    expect(w.ledger.row('n-1', 'ROUTED')).toMatchObject({ status: 'suppressed', failureCode: 'NO_CONTACT' });
    expect(w.publisher.published).toEqual([]);
  });

  test('when the routed notification has expired, then it is recorded expired and not fanned out', async () => {
    const w = world();
    expect(await w.deliver(aMessage({ ...routed(), expiresAtMicros: 1n }))).toMatchObject({ outcome: 'expired' });
    expect(w.publisher.published).toEqual([]);
  });

  test('when another instance is fanning it out, then it is nacked 409', async () => {
    const w = world();
    w.ledger.holdElsewhere('n-1', 'ROUTED');
    expect(await w.deliver(aMessage(routed()))).toMatchObject({ outcome: 'lock_busy' });
  });
});
