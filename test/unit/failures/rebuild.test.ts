import { targetKey } from '../../../src/delivery/routing';
import { carriedAttributes, notificationFromRow, timestampMicros } from '../../../src/failures/rebuild';
import { aNotification } from '../fakes';
import { CHANNELS } from '../../../src/codec/notification';

describe('timestampMicros', () => {
  test.each([
    ['2026-11-22 01:02:03.456789', 1_795_309_323_456_789n],
    ['2026-11-22T01:02:03.456789Z', 1_795_309_323_456_789n],
    ['2026-11-22T01:02:03Z', 1_795_309_323_000_000n],
    ['1970-01-01 00:00:00.000000', 0n],
    ['2026-11-22T01:02:03.4+00:00', 1_795_309_323_400_000n],
  ])('when the column holds %p, then the microseconds are exact', (text, micros) => {
    expect(timestampMicros(text)).toBe(micros);
  });

  test('when the value is not a timestamp, then it says so', () => {
    expect(() => timestampMicros('yesterday')).toThrow('not a timestamp: yesterday');
  });
});

describe('notificationFromRow', () => {
  const row = {
    notification_id: 'n-1',
    account_id: 'acct-1',
    type: 'order.shipped',
    channel: 1,
    source: 'orders',
    created_at_micros: '2026-11-22 01:02:03.456789',
    expires_at_micros: '1970-01-01 00:00:00.000000',
    email: '{"to":"a@example.com","subject":"S","text":"T","html":null}',
    subscription_name: 'projects/p/subscriptions/s',
    message_id: '9',
    publish_time: '2026-11-22 01:02:04.000000',
    attributes: '{}',
  };

  test('when the MySQL stand-in row is read back, then it is the notification that was dead-lettered', () => {
    expect(notificationFromRow(row)).toEqual({
      notificationId: 'n-1',
      accountId: 'acct-1',
      type: 'order.shipped',
      channel: CHANNELS.EMAIL,
      source: 'orders',
      createdAtMicros: 1_795_309_323_456_789n,
      expiresAtMicros: 0n,
      email: { to: 'a@example.com', subject: 'S', text: 'T', html: '' },
    });
  });

  test('when a BigQuery row is read back (records as objects, ISO timestamps), then it is the same notification', () => {
    const bigQueryRow = {
      ...row,
      created_at_micros: '2026-11-22T01:02:03.456789Z',
      expires_at_micros: '1970-01-01T00:00:00Z',
      email: { to: 'a@example.com', subject: 'S', text: 'T', html: null },
    };
    expect(notificationFromRow(bigQueryRow)).toEqual(notificationFromRow(row));
  });

  test('when a PUSH row with a data map is read back (REPEATED RECORD<key, value>), then the map is an object again', () => {
    const pushRow = {
      ...row,
      channel: CHANNELS.PUSH,
      email: null,
      push: '{"device_token":"tok","title":"T","body":null,"data":[{"key":"orderId","value":"42"},{"key":"kind","value":"x"}]}',
    };
    expect(notificationFromRow(pushRow).push).toEqual({ deviceToken: 'tok', title: 'T', body: '', data: { orderId: '42', kind: 'x' } });
  });

  test('when a templated row is read back, from either store, then the replay names the same template, version, data and locale', () => {
    const templated = { ...row, email: '{"to":"a@example.com","subject":null,"text":null,"html":null}', template: '{"id":"order.shipped","version":2,"data_json":"{\\"orderId\\":\\"A-1\\"}"}', locale: 'ja-JP' };
    const expected = { template: { id: 'order.shipped', version: 2, dataJson: '{"orderId":"A-1"}' }, locale: 'ja-JP', email: { to: 'a@example.com', subject: '', text: '', html: '' } };
    expect(notificationFromRow(templated)).toMatchObject(expected);
    expect(notificationFromRow({ ...templated, template: { id: 'order.shipped', version: '2', data_json: '{"orderId":"A-1"}' } })).toMatchObject(expected);
  });
});

describe('carriedAttributes: a record Pub/Sub forwarded with the raw attributes', () => {
  const n = { ...aNotification(), email: { to: 'alice@example.com', subject: 's', text: 't', html: '' } };
  const forwarded = (target: string) => ({ attributes: { CloudPubSubDeadLetterSourceSubscription: 'notifications-push', notifier_target: target } });

  test('when its target is the one of the notification\'s own recipient, then the replay carries it', () => {
    const target = targetKey('EMAIL', 'alice@example.com');
    expect(carriedAttributes(forwarded(target), n)).toEqual({ notifier_target: target });
  });

  test.each([['another address', targetKey('EMAIL', 'mallory@example.com')], ['made up', 'EMAIL:00000000'], ['another channel', targetKey('SMS', 'alice@example.com')]])(
    'when its target is for %s (a producer could have set it), then the replay carries nothing',
    (_, target) => {
      expect(carriedAttributes(forwarded(target), n)).toEqual({});
    },
  );
});

describe('carriedAttributes', () => {
  test.each([
    ['a routed message (MySQL JSON text)', '{"notifier_target":"SMS:0a1b2c3d","origin":"x"}', { notifier_target: 'SMS:0a1b2c3d' }],
    ['a routed message (BigQuery JSON object)', { notifier_target: 'PUSH:0a1b2c3d' }, { notifier_target: 'PUSH:0a1b2c3d' }],
    ['a message with no target', '{"origin":"x"}', {}],
    ['no attributes', null, {}],
    ['unreadable attributes', '{not json', {}],
  ])('when the dead-letter row is %s, then the replay carries %j', (_, attributes, carried) => {
    expect(carriedAttributes({ attributes })).toEqual(carried);
  });
});
