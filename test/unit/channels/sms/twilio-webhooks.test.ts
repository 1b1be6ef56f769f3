import {
  isOptOut,
  OPT_OUT_KEYWORDS,
  statusReport,
  twilioSignature,
  verifyTwilioSignature,
} from '../../../../src/channels/sms/twilio-webhooks';
import { twilioSignatureOf } from '../../../support/providers/callbacks';

const SID = `SM${'ab'.repeat(16)}`;
const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe('twilioSignature: X-Twilio-Signature as Twilio documents it', () => {
  test("when signing Twilio's documented example request, then the result is the documented signature", () => {
    // Twilio's request-validation example: auth token 12345, this URL and these POST parameters.
    const params = form({ CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' });
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  test('when the parameters arrive in another order, then the signature is the same (they are sorted by name)', () => {
    const url = 'https://notifier.example.com/v1/callbacks/twilio/status';
    const fields = { To: '+819012345678', MessageStatus: 'delivered', MessageSid: SID, AccountSid: `AC${'0'.repeat(32)}` };
    const reversed = Object.fromEntries(Object.entries(fields).reverse());
    expect(twilioSignature('token', url, form(fields))).toBe(twilioSignature('token', url, form(reversed)));
    expect(twilioSignature('token', url, form(fields))).toBe(twilioSignatureOf('token', url, fields));
  });

  test.each([
    ['another token', 'other', 'https://n.example/v1/callbacks/twilio/status', { MessageSid: SID, MessageStatus: 'delivered' }],
    ['another URL', 'token', 'https://n.example/v1/callbacks/twilio/inbound', { MessageSid: SID, MessageStatus: 'delivered' }],
    ['another value', 'token', 'https://n.example/v1/callbacks/twilio/status', { MessageSid: SID, MessageStatus: 'failed' }],
    ['an added parameter', 'token', 'https://n.example/v1/callbacks/twilio/status', { MessageSid: SID, MessageStatus: 'delivered', ErrorCode: '1' }],
  ])('when the request differs by %s, then the signature does not verify', (_what, token, url, fields) => {
    const signature = twilioSignatureOf('token', 'https://n.example/v1/callbacks/twilio/status', { MessageSid: SID, MessageStatus: 'delivered' });
    expect(verifyTwilioSignature(token, url, form(fields), signature)).toBe(false);
  });

  test('when the signature matches, then it verifies; when absent or truncated, it does not', () => {
    const url = 'https://n.example/v1/callbacks/twilio/status';
    const fields = { MessageSid: SID, MessageStatus: 'delivered' };
    const signature = twilioSignatureOf('token', url, fields);
    expect(verifyTwilioSignature('token', url, form(fields), signature)).toBe(true);
    expect(verifyTwilioSignature('token', url, form(fields), undefined)).toBe(false);
    expect(verifyTwilioSignature('token', url, form(fields), signature.slice(0, -2))).toBe(false);
  });
});

describe('statusReport: MessageStatus → our lifecycle events', () => {
  test.each([
    ['delivered', undefined, { event: 'delivered' }],
    ['undelivered', '30003', { event: 'undelivered', code: '30003' }],
    ['failed', '30008', { event: 'undelivered', code: '30008' }],
  ])('when the status is %s (ErrorCode %s), then it is reported as %j', (status, errorCode, expected) => {
    const report = statusReport(form({ MessageSid: SID, MessageStatus: status, To: '+819012345678', ...(errorCode && { ErrorCode: errorCode }) }));
    expect(report).toEqual({ channel: 'SMS', providerMessageId: SID, reportId: `${SID}:${status}`, source: 'twilio', ...expected });
  });

  test('when a message failed with 21610, then the To number is to be suppressed as an opt-out', () => {
    const report = statusReport(form({ MessageSid: SID, MessageStatus: 'failed', ErrorCode: '21610', To: '+819012345678' }));
    expect(report).toMatchObject({ event: 'undelivered', code: '21610', suppress: { address: '+819012345678', reason: 'opt_out' } });
  });

  test.each(['queued', 'sending', 'sent', 'accepted', 'scheduled', 'read', 'canceled', 'receiving', 'received'])('when the status is %s, then there is nothing to report', (status) => {
    expect(statusReport(form({ MessageSid: SID, MessageStatus: status }))).toBeUndefined();
  });

  test('when the callback names no message, then there is nothing to report', () => {
    expect(statusReport(form({ MessageStatus: 'delivered' }))).toBeUndefined();
  });
});

describe('isOptOut: incoming messages', () => {
  test.each([...OPT_OUT_KEYWORDS])('when the body is the default opt-out keyword %s, in any case and with spaces, then it opts out', (keyword) => {
    expect(isOptOut(form({ Body: `  ${keyword.toLowerCase()} ` }))).toBe(true);
  });

  test.each([
    [{ Body: 'Arrêt', OptOutType: 'STOP' }, true],
    [{ Body: 'START', OptOutType: 'START' }, false],
    [{ Body: 'HELP', OptOutType: 'HELP' }, false],
    [{ Body: 'please stop' }, false],
    [{ Body: '' }, false],
  ])('when the message is %j, then opting out is %s', (fields, expected) => {
    expect(isOptOut(form(fields))).toBe(expected);
  });
});
