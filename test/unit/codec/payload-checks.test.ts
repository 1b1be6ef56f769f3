import { CHANNELS, Notification } from '../../../src/codec/notification';
import { validateNotification } from '../../../src/codec/validate';
import { aNotification } from '../fakes';
import { SMS_LIMITS } from '../../../src/channels/sms/message';
import { PUSH_LIMITS, isReservedFcmKey } from '../../../src/channels/push/message';
import { SLACK_LIMITS } from '../../../src/channels/slack/message';
import { LINE_LIMITS } from '../../../src/channels/line/message';
import { WEBHOOK_LIMITS } from '../../../src/channels/webhook/message';

const base = aNotification({ email: undefined });

const valid: Record<string, Notification> = {
  SMS: { ...base, channel: CHANNELS.SMS, sms: { to: '+819012345678', body: 'Your code is 1234' } },
  PUSH: { ...base, channel: CHANNELS.PUSH, push: { deviceToken: 'fcm-token-1:APA91b', title: 'Shipped', body: '', data: { orderId: '42' } } },
  SLACK: { ...base, channel: CHANNELS.SLACK, slack: { channel: 'C0123456789', text: 'Deploy finished' } },
  LINE: { ...base, channel: CHANNELS.LINE, line: { to: `U${'0'.repeat(31)}a`, text: 'Hello' } },
  WEBHOOK: { ...base, channel: CHANNELS.WEBHOOK, webhook: { url: 'https://hooks.example.com/orders', payloadJson: '{"orderId":42}' } },
};

/** The valid notification of `channel` with its payload changed. */
function withPayload(channel: keyof typeof valid, change: Record<string, unknown>): Notification {
  const n = valid[channel]!;
  const field = channel.toLowerCase() as 'sms' | 'push' | 'slack' | 'line' | 'webhook';
  return { ...n, [field]: { ...n[field], ...change } };
}

const problemsOf = (n: Notification) => validateNotification(n).map((p) => [p.field, p.code, p.problem]);

describe('payload checks of each channel', () => {
  test.each(Object.keys(valid))('when a %s notification is valid, then there is no problem', (channel) => {
    expect(validateNotification(valid[channel]!)).toEqual([]);
  });

  test.each([
    ['SMS', 'sms'],
    ['PUSH', 'push'],
    ['SLACK', 'slack'],
    ['LINE', 'line'],
    ['WEBHOOK', 'webhook'],
  ])('when a %s notification has no %s payload, then it is INVALID_PAYLOAD naming the field', (channel, field) => {
    expect(problemsOf({ ...valid[channel]!, [field]: undefined })).toEqual([[field, 'INVALID_PAYLOAD', `is required for channel ${channel}`]]);
  });

  test.each([
    ['SMS', { to: '' }, 'sms.to', 'INVALID_RECIPIENT'],
    ['SMS', { to: '09012345678' }, 'sms.to', 'INVALID_RECIPIENT'],
    ['SMS', { to: '+0123456789' }, 'sms.to', 'INVALID_RECIPIENT'],
    ['SMS', { to: '+8190123456789012' }, 'sms.to', 'INVALID_RECIPIENT'],
    ['SMS', { body: '' }, 'sms.body', 'INVALID_PAYLOAD'],
    ['SMS', { body: 'x'.repeat(SMS_LIMITS.body + 1) }, 'sms.body', 'INVALID_PAYLOAD'],
    ['PUSH', { deviceToken: '' }, 'push.device_token', 'INVALID_RECIPIENT'],
    ['PUSH', { deviceToken: 'has space' }, 'push.device_token', 'INVALID_RECIPIENT'],
    ['PUSH', { deviceToken: 'x'.repeat(PUSH_LIMITS.tokenLength + 1) }, 'push.device_token', 'INVALID_RECIPIENT'],
    ['PUSH', { title: '', body: '' }, 'push.body', 'INVALID_PAYLOAD'],
    ['PUSH', { data: { from: 'x' } }, 'push.data', 'INVALID_PAYLOAD'],
    ['PUSH', { data: { 'google.c': 'x' } }, 'push.data', 'INVALID_PAYLOAD'],
    ['PUSH', { data: { big: 'x'.repeat(PUSH_LIMITS.payloadBytes) } }, 'push', 'INVALID_PAYLOAD'],
    ['SLACK', { channel: 'has space' }, 'slack.channel', 'INVALID_RECIPIENT'],
    ['SLACK', { text: '' }, 'slack.text', 'INVALID_PAYLOAD'],
    ['SLACK', { text: 'x'.repeat(SLACK_LIMITS.text + 1) }, 'slack.text', 'INVALID_PAYLOAD'],
    ['LINE', { to: '' }, 'line.to', 'INVALID_RECIPIENT'],
    ['LINE', { to: 'U123' }, 'line.to', 'INVALID_RECIPIENT'],
    ['LINE', { to: `X${'0'.repeat(32)}` }, 'line.to', 'INVALID_RECIPIENT'],
    ['LINE', { text: '' }, 'line.text', 'INVALID_PAYLOAD'],
    ['LINE', { text: 'x'.repeat(LINE_LIMITS.text + 1) }, 'line.text', 'INVALID_PAYLOAD'],
    ['WEBHOOK', { url: '' }, 'webhook.url', 'INVALID_RECIPIENT'],
    ['WEBHOOK', { url: 'not a url' }, 'webhook.url', 'INVALID_RECIPIENT'],
    ['WEBHOOK', { url: 'ftp://example.com/x' }, 'webhook.url', 'INVALID_RECIPIENT'],
    ['WEBHOOK', { url: 'https://user:pw@example.com/x' }, 'webhook.url', 'INVALID_RECIPIENT'],
    ['WEBHOOK', { url: `https://example.com/${'x'.repeat(WEBHOOK_LIMITS.urlLength)}` }, 'webhook.url', 'INVALID_RECIPIENT'],
    ['WEBHOOK', { payloadJson: '' }, 'webhook.payload_json', 'INVALID_PAYLOAD'],
    ['WEBHOOK', { payloadJson: '{"a":' }, 'webhook.payload_json', 'INVALID_PAYLOAD'],
    ['WEBHOOK', { payloadJson: JSON.stringify('x'.repeat(WEBHOOK_LIMITS.payloadBytes)) }, 'webhook.payload_json', 'INVALID_PAYLOAD'],
    ['WEBHOOK', { payloadJson: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}` }, 'webhook.payload_json', 'INVALID_PAYLOAD'],
    ['WEBHOOK', { payloadJson: `${'['.repeat(WEBHOOK_LIMITS.payloadDepth + 1)}${']'.repeat(WEBHOOK_LIMITS.payloadDepth + 1)}` }, 'webhook.payload_json', 'INVALID_PAYLOAD'],
  ] as const)('when a %s payload has %j, then %s is %s', (channel, change, field, code) => {
    const problems = validateNotification(withPayload(channel, change));
    expect(problems.map((p) => [p.field, p.code])).toEqual([[field, code]]);
  });

  test.each([
    ['SLACK', { channel: '' }],
    ['SLACK', { channel: '#alerts' }],
    ['SLACK', { channel: 'U0123ABCDE' }],
    ['PUSH', { title: '', body: 'Only a body' }],
    ['WEBHOOK', { url: 'http://hooks.example.com/x' }],
    ['WEBHOOK', { payloadJson: '[1,2]' }],
    ['WEBHOOK', { payloadJson: `${'['.repeat(WEBHOOK_LIMITS.payloadDepth)}${']'.repeat(WEBHOOK_LIMITS.payloadDepth)}` }],
    ['WEBHOOK', { payloadJson: JSON.stringify({ text: '[[[[{{{{\\"'.repeat(100), deep: [[[1]]] }) }],
    ['LINE', { to: `C${'f'.repeat(32)}` }],
  ] as const)('when a %s payload has %j, then it is accepted', (channel, change) => {
    expect(validateNotification(withPayload(channel, change))).toEqual([]);
  });

  test('when payload values are invalid, then no problem text contains them (they may be personal data)', () => {
    const secret = '+819099998888';
    const text = JSON.stringify(validateNotification(withPayload('SMS', { to: `${secret}x`, body: '' })));
    expect(text).not.toContain(secret);
  });

  test.each([
    ['from', true],
    ['message_type', true],
    ['notification', true],
    ['google.sent_time', true],
    ['gcm.n.e', true],
    ['GoogleThing', true],
    ['orderId', false],
    ['fromage', false],
  ])('when the FCM data key is %s, then reserved is %s', (key, reserved) => {
    expect(isReservedFcmKey(key)).toBe(reserved);
  });
});
