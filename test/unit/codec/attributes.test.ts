import { LOCAL_SIGNING_KEY, signInternal } from '../../../src/codec/internal-attributes';
import { CHANNELS } from '../../../src/codec/notification';
import { failureAttributes } from '../../../src/pubsub/dead-letter';
import { carriedAttributes } from '../../../src/failures/rebuild';
import { PermanentError } from '../../../src/delivery/failures';
import { targetKey } from '../../../src/delivery/routing';
import { aDeliveryWorld, aMessage, aNotification } from '../fakes';
import { MAX_ATTRIBUTES, MAX_MESSAGE_BYTES, messageBytes, RELEASE_OF_ATTRIBUTE, republishAttributes } from '../../../src/codec/attributes';

/**
 * A routed notification that came with many attributes: its per-contact messages are filled
 * to Pub/Sub's 100, and when one of them fails, its dead-letter record must still say which
 * contact it was (notifier_target): that is what a replay reopens (carriedAttributes) and what
 * the failure store's `target` column shows.
 */
test('when a per-contact message of a routed notification with 100 attributes is dead-lettered, then the record keeps notifier_target', async () => {
  const w = aDeliveryWorld();
  w.accounts.contactLists.set('acct-1', [{ channel: 'EMAIL', address: 'alice@example.com' }]);
  const content = { title: 'Shipped', body: 'It arrives Friday.', url: '', data: {} };
  const routed = aNotification({ channel: CHANNELS.CHANNEL_UNSPECIFIED, email: undefined, content });
  const attributes = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${String(i).padStart(3, '0')}`, 'v']));

  expect(await w.deliver({ ...aMessage(routed, 'JSON', 'm-r'), attributes })).toMatchObject({ outcome: 'routed' });
  const perContact = w.publisher.published[0]!;
  expect(perContact.attributes.notifier_target).toBe(targetKey('EMAIL', 'alice@example.com'));

  w.email.failure = new PermanentError('INVALID_RECIPIENT', 'SMTP 550 RCPT TO');
  await w.deliver({ messageId: 'm-e', data: perContact.data, attributes: perContact.attributes });
  const record = w.deadLetters.deadLettered[0]!;
  const published = failureAttributes(record); // what reaches the dead-letter topic

  expect(published.notifier_failure_code).toBe('INVALID_RECIPIENT');
  expect(carriedAttributes({ attributes: JSON.stringify(published) } as never)).toEqual({
    notifier_target: targetKey('EMAIL', 'alice@example.com'),
  });
});

test('when a message near 10 MB with 100 attributes is republished and signed, then it stays within 100 attributes and 10 MB', () => {
  const attributes = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${String(i).padStart(3, '0')}`, 'v'.repeat(1000)]));
  const biggest = Buffer.alloc(MAX_MESSAGE_BYTES, 'a');
  for (const length of [0, MAX_MESSAGE_BYTES - 100_000, MAX_MESSAGE_BYTES - 50_000, MAX_MESSAGE_BYTES - 2_000]) {
    const data = biggest.subarray(0, length);
    const signed = signInternal(data, republishAttributes(attributes, { [RELEASE_OF_ATTRIBUTE]: 'm-1' }, data.length), LOCAL_SIGNING_KEY);
    expect(Object.keys(signed).length).toBeLessThanOrEqual(MAX_ATTRIBUTES);
    expect(messageBytes(data.length, signed)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(signed[RELEASE_OF_ATTRIBUTE]).toBe('m-1');
  }
});
