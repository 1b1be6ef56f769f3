import path from 'node:path';
import { CHANNELS } from '../../../src/codec/notification';
import { readManifest } from '../../../src/templates/manifest';
import { InvalidNotificationError, NotificationInput, toNotification } from '../../../src/client/notification-input';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const defaults = { source: 'orders', nowMs: NOW };

const valid = (overrides: Partial<NotificationInput> = {}): NotificationInput => ({
  notificationId: 'order-1-shipped',
  type: 'order.shipped',
  channel: 'EMAIL',
  email: { to: 'alice@example.com', subject: 'Shipped', text: 'On its way' },
  ...overrides,
});

function problemsOf(input: NotificationInput): string[] {
  try {
    toNotification(input, defaults);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidNotificationError);
    return (err as InvalidNotificationError).problems.map((p) => `${p.field} ${p.problem}`);
  }
  throw new Error('expected InvalidNotificationError');
}

describe('toNotification', () => {
  it('when the input is valid, then it fills created_at from the clock, the default source and empty optionals', () => {
    expect(toNotification(valid(), defaults)).toEqual({
      notificationId: 'order-1-shipped',
      accountId: '',
      type: 'order.shipped',
      channel: CHANNELS.EMAIL,
      source: 'orders',
      createdAtMicros: BigInt(NOW) * 1000n,
      expiresAtMicros: 0n,
      email: { to: 'alice@example.com', subject: 'Shipped', text: 'On its way', html: '' },
    });
  });

  it('when dates, a source and a numeric channel are given, then they are kept as given', () => {
    const n = toNotification(
      valid({ channel: 1, source: 'billing', createdAt: new Date(1000), expiresAt: new Date(NOW + 60000) }),
      defaults,
    );
    expect([n.channel, n.source, n.createdAtMicros, n.expiresAtMicros]).toEqual([1, 'billing', 1_000_000n, BigInt(NOW + 60000) * 1000n]);
  });

  it('when the channel name is lower case, then it is accepted', () => {
    expect(toNotification(valid({ channel: 'email' as 'EMAIL' }), defaults).channel).toBe(CHANNELS.EMAIL);
  });

  it('when several fields are invalid, then every one is listed once', () => {
    expect(
      problemsOf({ notificationId: '', type: '', channel: 'EMAIL', email: { to: 'not-an-address', subject: '' } }),
    ).toEqual([
      'notification_id is required',
      'type is required',
      'email.to is not a valid email address',
      'email.subject is required',
      'email.text text or html is required',
    ]);
  });

  it('when the channel name is unknown, then the problem names it (and not also "is required")', () => {
    expect(problemsOf(valid({ channel: 'FAX' as 'EMAIL' }))).toEqual(['channel "FAX" is not a known channel']);
  });

  it('when a field has the wrong JavaScript type, then it says so instead of crashing', () => {
    const input = { ...valid(), notificationId: 42, email: { to: ['a@example.com'], subject: 'x', text: 'y' } };
    expect(problemsOf(input as unknown as NotificationInput)).toEqual([
      'notification_id must be a string, got number',
      'email.to must be a string, got object',
    ]);
  });

  it('when a date is invalid, then it is a problem', () => {
    expect(problemsOf(valid({ expiresAt: new Date('nope') }))).toEqual(['expires_at is not a valid Date']);
  });

  it('when the email payload is missing, then the channel-specific check reports it', () => {
    expect(problemsOf(valid({ email: undefined }))).toEqual(['email is required for channel EMAIL']);
  });
});

describe('toNotification: every channel', () => {
  const base = { notificationId: 'n-1', type: 'order.shipped' };

  it.each([
    ['SMS', { sms: { to: '+819012345678', body: 'Code 1234' } }, { sms: { to: '+819012345678', body: 'Code 1234' } }],
    ['PUSH', { push: { deviceToken: 'tok:1', title: 'Shipped' } }, { push: { deviceToken: 'tok:1', title: 'Shipped', body: '', data: {} } }],
    ['PUSH', { push: { deviceToken: 'tok:1', body: 'B', data: { orderId: '42' } } }, { push: { deviceToken: 'tok:1', title: '', body: 'B', data: { orderId: '42' } } }],
    ['SLACK', { slack: { text: 'Deployed' } }, { slack: { channel: '', text: 'Deployed' } }],
    ['LINE', { line: { to: `U${'0'.repeat(32)}`, text: 'Hi' } }, { line: { to: `U${'0'.repeat(32)}`, text: 'Hi' } }],
    ['WEBHOOK', { webhook: { url: 'https://h.example/x', payload: { orderId: 42 } } }, { webhook: { url: 'https://h.example/x', payloadJson: '{"orderId":42}' } }],
    ['WEBHOOK', { webhook: { url: 'https://h.example/x', payloadJson: '[1]' } }, { webhook: { url: 'https://h.example/x', payloadJson: '[1]' } }],
  ])('when a valid %s notification is given, then its payload is filled in', (channel, payload, expected) => {
    const n = toNotification({ ...base, channel: channel as NotificationInput['channel'], ...payload } as NotificationInput, defaults);
    expect(n).toMatchObject({ channel: CHANNELS[channel as keyof typeof CHANNELS], ...expected });
  });

  it.each([
    ['push data that is not all strings', { channel: 'PUSH', push: { deviceToken: 't', body: 'b', data: { n: 1 } } }, 'push.data must be an object of string values'],
    ['a payload that is not an object', { channel: 'SMS', sms: 'hello' }, 'sms must be an object'],
    ['a webhook payload given twice', { channel: 'WEBHOOK', webhook: { url: 'https://h.example', payload: {}, payloadJson: '{}' } }, 'webhook.payload give payload or payloadJson, not both'],
    ['a webhook payload that is not JSON-serialisable', { channel: 'WEBHOOK', webhook: { url: 'https://h.example', payload: 1n } }, 'webhook.payload cannot be serialised as JSON'],
    ['an SMS number that is not E.164', { channel: 'SMS', sms: { to: '090-1234-5678', body: 'x' } }, 'sms.to is not an E.164 phone number (+ and 7 to 15 digits)'],
  ])('when %s is given, then the problem names the field', (_, input, problem) => {
    expect(problemsOf({ ...base, ...input } as unknown as NotificationInput)).toContain(problem);
  });
});

describe('toNotification: routed notifications', () => {
  it('when no channel is given but an account and content are, then it is a valid routed notification', () => {
    const n = toNotification({ notificationId: 'n-1', type: 'order.shipped', accountId: 'acct-1', content: { title: 'Shipped', url: 'https://shop.example/o/1' } }, defaults);
    expect(n).toMatchObject({ channel: CHANNELS.CHANNEL_UNSPECIFIED, content: { title: 'Shipped', body: '', url: 'https://shop.example/o/1', data: {} } });
  });

  it('when no channel is given and there is no account, then the channel is reported as required', () => {
    expect(problemsOf({ notificationId: 'n-1', type: 't', content: { title: 'x' } })).toEqual(['channel is required (or routing: account_id, and content or a template)']);
  });
});

describe('toNotification: templates, checked against the producer’s copy of the catalogue', () => {
  const templates = readManifest(path.join(__dirname, '../../fixtures/templates/typed'));
  const problems = (input: Partial<NotificationInput>) => {
    try {
      toNotification({ notificationId: 'n-1', type: 'loop.done', ...input } as NotificationInput, { ...defaults, templates });
      return [];
    } catch (err) {
      return (err as InvalidNotificationError).problems.map((p) => `${p.field} ${p.problem} [${p.code}]`);
    }
  };

  test('when the template renders for the channel and the data fits, then it passes', () => {
    expect(problems({ channel: 'SMS', sms: { to: '+819012345678' }, template: 'loop', data: { count: 3 } })).toEqual([]);
  });

  test('when the template has no rendering for the channel, then the client refuses it as the notifier would (TEMPLATE_NOT_FOUND)', () => {
    expect(problems({ channel: 'EMAIL', email: { to: 'a@example.com' }, template: 'loop', data: { count: 3 } })).toEqual([
      'channel loop@2 has no EMAIL rendering (it has SMS) [TEMPLATE_NOT_FOUND]',
    ]);
  });

  test('when the data misses a variable or the version is unknown, then each is named with its code', () => {
    expect(problems({ channel: 'SMS', sms: { to: '+819012345678' }, template: 'loop', data: {} })).toEqual(['data.count is required [TEMPLATE_DATA_INVALID]']);
    expect(problems({ channel: 'SMS', sms: { to: '+819012345678' }, template: { id: 'loop', version: 7 }, data: {} })).toEqual(['template.id loop@7 is not in the catalogue [TEMPLATE_NOT_FOUND]']);
  });

  test('when a webhook’s data nests deeper than a webhook payload may, then the client refuses it as the notifier would after rendering', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(101)}1${'}'.repeat(101)}`) as Record<string, unknown>;
    expect(problems({ channel: 'WEBHOOK', webhook: { url: 'https://hooks.example.com/x' }, template: 'loop', data: { count: 3, deep } })).toEqual([
      'webhook.payload_json nests objects and arrays more than 100 levels deep [INVALID_PAYLOAD]',
    ]);
  });
});
