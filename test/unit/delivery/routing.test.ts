import { createHash } from 'node:crypto';
import { CHANNELS, ChannelName, Notification } from '../../../src/codec/notification';
import { LIMITS } from '../../../src/codec/payload-checks';
import { validateNotification } from '../../../src/codec/validate';
import { Contact } from '../../../src/delivery/ports';
import { routeToContacts, targetKey, targetOf, makePublicTarget } from '../../../src/delivery/routing';
import { aNotification } from '../fakes';
import { SMS_LIMITS } from '../../../src/channels/sms/message';

const content = { title: 'Your order shipped', body: 'It arrives Friday.', url: 'https://shop.example/o/42', data: { orderId: '42' } };
const routed = (overrides: Partial<Notification> = {}): Notification =>
  aNotification({ channel: CHANNELS.CHANNEL_UNSPECIFIED, email: undefined, content, ...overrides });

const contacts: Contact[] = [
  { channel: 'EMAIL', address: 'alice@example.com' },
  { channel: 'SMS', address: '+819012345678' },
  { channel: 'PUSH', address: 'device-token-1' },
  { channel: 'PUSH', address: 'device-token-2' },
  { channel: 'SLACK', address: 'U0123ABCDE' },
  { channel: 'LINE', address: `U${'a'.repeat(32)}` },
  { channel: 'WEBHOOK', address: 'https://hooks.example.com/alice' },
];
const all = () => true;

describe('targetKey and targetOf', () => {
  test('when a contact is keyed, then the key is the channel and 8 hex of its hash, the same every time', () => {
    const hex = createHash('sha256').update('+819012345678').digest('hex').slice(0, 8);
    expect(targetKey('SMS', '+819012345678')).toBe(`SMS:${hex}`);
    expect(targetKey('SMS', '+819012345678')).toBe(targetKey('SMS', '+819012345678'));
    expect(targetKey('WEBHOOK', 'https://x.example').length).toBeLessThanOrEqual(16); // delivery_ledger.channel is VARCHAR(16)
  });

  test.each([
    [{ notifier_target: 'SMS:0a1b2c3d' }, 'SMS:0a1b2c3d'],
    [{}, 'SMS'],
    [{ notifier_target: 'EMAIL:0a1b2c3d' }, 'SMS'],
    [{ notifier_target: 'SMS:0A1B2C3D' }, 'SMS'],
    [{ notifier_target: 'SMS:0a1b2c3d-more' }, 'SMS'],
    [{ notifier_target: 'SMS' }, 'SMS'],
  ])('when the attributes are %j, then the ledger channel of an SMS delivery is %s', (attributes, target) => {
    expect(targetOf('SMS', attributes)).toBe(target);
  });
});

describe('routeToContacts', () => {
  test('when the account has contacts on every channel, then one valid notification per contact is made, keyed by contact', () => {
    const messages = routeToContacts(routed(), contacts, all);
    expect(messages.map((m) => m.target)).toEqual(contacts.map((c) => targetKey(c.channel, c.address)));
    for (const { notification } of messages) {
      expect(validateNotification(notification)).toEqual([]);
      expect(notification).not.toHaveProperty('content');
      expect(notification).toMatchObject({ notificationId: 'n-1', accountId: 'acct-1', type: 'order.shipped' });
    }
  });

  test('when rendered, then each channel gets the title, body and link in its own form', () => {
    const [email, sms, push, , slack, line, webhook] = routeToContacts(routed(), contacts, all).map((m) => m.notification);
    expect(email!.email).toEqual({ to: 'alice@example.com', subject: 'Your order shipped', text: 'It arrives Friday.\n\nhttps://shop.example/o/42', html: '' });
    expect(sms!.sms).toEqual({ to: '+819012345678', body: 'Your order shipped\nIt arrives Friday.\nhttps://shop.example/o/42' });
    expect(push!.push).toEqual({ deviceToken: 'device-token-1', title: 'Your order shipped', body: 'It arrives Friday.', data: { orderId: '42', url: 'https://shop.example/o/42' } });
    expect(slack!.slack).toEqual({ channel: 'U0123ABCDE', text: '*Your order shipped*\nIt arrives Friday.\nhttps://shop.example/o/42' });
    expect(line!.line!.text).toBe('Your order shipped\nIt arrives Friday.\nhttps://shop.example/o/42');
    expect(JSON.parse(webhook!.webhook!.payloadJson)).toEqual(content);
    expect(webhook!.channel).toBe(CHANNELS.WEBHOOK);
  });

  test('when a channel is not configured, then its contacts are skipped', () => {
    const configured = (c: ChannelName) => c === 'EMAIL';
    expect(routeToContacts(routed(), contacts, configured).map((m) => m.notification.channel)).toEqual([CHANNELS.EMAIL]);
  });

  test('when the content is longer than a channel allows, then that channel gets it cut to its limit, still valid', () => {
    const long = { ...content, body: 'x'.repeat(LIMITS.contentBody) };
    for (const { notification } of routeToContacts(routed({ content: long }), contacts, all)) {
      expect(validateNotification(notification)).toEqual([]);
    }
    const sms = routeToContacts(routed({ content: long }), [contacts[1]!], all)[0]!.notification.sms!;
    expect(sms.body).toHaveLength(SMS_LIMITS.body);
    expect(sms.body.endsWith('…')).toBe(true);
  });

  test('when a cut would fall between the halves of an emoji, then it falls before the emoji', () => {
    const body = `${'x'.repeat(SMS_LIMITS.body - 2)}😀 and more`;
    const sms = routeToContacts(routed({ content: { ...content, title: '', url: '', body } }), [contacts[1]!], all)[0]!.notification.sms!;
    expect(sms.body).toBe(`${'x'.repeat(SMS_LIMITS.body - 2)}…`);
  });

  test('when the title breaks lines with a lone CR, or holds no text at all, then the subject is the first line with text, else the type', () => {
    const subject = (title: string, body: string) =>
      routeToContacts(routed({ content: { ...content, title, body } }), [contacts[0]!], all)[0]!.notification.email!.subject;
    expect(subject('\rShipped\rtoday', 'b')).toBe('Shipped');
    expect(subject('\r\n ', 'Body line\rsecond')).toBe('Body line');
    expect(subject('\r', '\n')).toBe('order.shipped');
  });

  test('when there is only a body, then the email subject is its first line and the text the body', () => {
    const [email] = routeToContacts(routed({ content: { title: '', body: 'Line one\nLine two', url: '', data: {} } }), [contacts[0]!], all);
    expect(email!.notification.email).toMatchObject({ subject: 'Line one', text: 'Line one\nLine two' });
  });

  test('when there is only a title, then the email text is the title (text or html is required)', () => {
    const [email] = routeToContacts(routed({ content: { title: 'Heads up', body: '', url: '', data: {} } }), [contacts[0]!], all);
    expect(validateNotification(email!.notification)).toEqual([]);
  });

  test('when the account has no contacts, then there is nothing to route', () => {
    expect(routeToContacts(routed(), [], all)).toEqual([]);
  });
});

describe('makePublicTarget', () => {
  const shown = makePublicTarget('a-server-key-of-at-least-32-characters');

  test('when a target names one contact, then its hash is replaced by a keyed one: stable, and not the ledger’s', () => {
    const target = targetKey('SMS', '+819012345678');
    expect(shown(target)).toMatch(/^SMS:[0-9a-f]{8}$/);
    expect(shown(target)).not.toBe(target);
    expect(shown(target)).toBe(shown(target));
    expect(makePublicTarget('another-server-key-of-32-characters!')(target)).not.toBe(shown(target));
  });

  test('when a target is a channel or ROUTED, then it is shown as it is', () => {
    expect([shown('EMAIL'), shown('ROUTED')]).toEqual(['EMAIL', 'ROUTED']);
  });
});
