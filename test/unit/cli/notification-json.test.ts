import { CliError } from '../../../src/cli/errors';
import { normalizeNotificationJson, parseNotificationFile, toNotificationInput } from '../../../src/cli/notification-json';

const email = { to: 'a@example.com', subject: 'S', text: 'T' };

describe('parseNotificationFile', () => {
  it('when keys are camelCase and dates ISO strings, then dates become Date objects', () => {
    const text = JSON.stringify({ notificationId: 'n1', type: 't', channel: 'EMAIL', accountId: 'a1', expiresAt: '2025-06-01T00:00:00Z', email });
    expect(parseNotificationFile(text, 'n.json')).toEqual({
      notificationId: 'n1',
      type: 't',
      channel: 'EMAIL',
      accountId: 'a1',
      expiresAt: new Date('2025-06-01T00:00:00Z'),
      email,
    });
  });

  it('when keys are proto snake_case, then they are read as their camelCase names', () => {
    const text = JSON.stringify({ notification_id: 'n1', type: 't', channel: 1, account_id: 'a1', created_at: '2025-01-01T00:00:00Z', expires_at: '2025-06-01T00:00:00Z', email });
    expect(parseNotificationFile(text, 'n.json')).toMatchObject({
      notificationId: 'n1',
      channel: 1,
      accountId: 'a1',
      createdAt: new Date('2025-01-01T00:00:00Z'),
      expiresAt: new Date('2025-06-01T00:00:00Z'),
    });
  });

  it('when instants are proto int64 micros, then they become Dates, and 0 means unset', () => {
    const text = JSON.stringify({ notification_id: 'n1', type: 't', channel: 'EMAIL', created_at_micros: '1735689600000000', expiresAtMicros: 0, email });
    const input = parseNotificationFile(text, 'n.json');
    expect(input.createdAt).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(input).not.toHaveProperty('expiresAt');
  });

  it('when a date is not ISO 8601, then it becomes an invalid Date for the validator to report', () => {
    const input = parseNotificationFile(JSON.stringify({ notificationId: 'n', type: 't', channel: 'EMAIL', expiresAt: 'tomorrow' }), 'n.json');
    expect(Number.isNaN(input.expiresAt!.getTime())).toBe(true);
  });

  it('when the text is not JSON, then the error names the file', () => {
    expect(() => parseNotificationFile('{nope', 'n.json')).toThrow(/^n\.json: not valid JSON/);
  });
});

describe('normalizeNotificationJson', () => {
  it('when the value is not an object, then the error says so', () => {
    expect(() => normalizeNotificationJson([1], 'n.json')).toThrow(new CliError('n.json: expected a JSON object'));
  });

  it('when a key is misspelt, then the error names it instead of dropping it', () => {
    expect(() => normalizeNotificationJson({ type: 't', emial: {} }, 'n.json')).toThrow('n.json: unknown field "emial"');
  });

  it('when an email key is unknown, then the error names it with its path', () => {
    expect(() => normalizeNotificationJson({ email: { to: 'a', body: 'b' } }, 'n.json')).toThrow('unknown field "email.body"');
  });

  it('when a field is given in both spellings, then it is an error', () => {
    expect(() => normalizeNotificationJson({ accountId: 'a', account_id: 'b' }, 'n.json')).toThrow('"account_id" is given twice');
  });

  it('when an instant is given both as ISO and as micros, then it is an error', () => {
    expect(() => normalizeNotificationJson({ expiresAt: '2025-01-01T00:00:00Z', expires_at_micros: '1' }, 'n.json')).toThrow(
      'give expiresAt or expiresAtMicros, not both',
    );
  });
});

describe('toNotificationInput', () => {
  it('when no dates are given, then none are set', () => {
    expect(toNotificationInput({ type: 't', channel: 'EMAIL' })).toEqual({ type: 't', channel: 'EMAIL' });
  });
});

describe('parseNotificationFile: channel payloads', () => {
  const parse = (value: unknown) => parseNotificationFile(JSON.stringify(value), 'n.json');

  it('when payload keys are proto snake_case, then they become camelCase; a webhook payload may be a JSON value', () => {
    expect(parse({ notificationId: 'n', type: 't', channel: 'PUSH', push: { device_token: 'tok', title: 'T', data: { a: '1' } } }).push).toEqual({
      deviceToken: 'tok',
      title: 'T',
      data: { a: '1' },
    });
    expect(parse({ notificationId: 'n', type: 't', channel: 'WEBHOOK', webhook: { url: 'https://h.example', payload: { a: 1 } } }).webhook).toEqual({
      url: 'https://h.example',
      payload: { a: 1 },
    });
    expect(parse({ notificationId: 'n', type: 't', channel: 'WEBHOOK', webhook: { url: 'https://h.example', payload_json: '{}' } }).webhook).toEqual({
      url: 'https://h.example',
      payloadJson: '{}',
    });
  });

  it.each([
    [{ sms: { to: '+819012345678', text: 'x' } }, 'n.json: unknown field "sms.text"'],
    [{ push: { deviceToken: 'a', device_token: 'b' } }, 'n.json: "push.device_token" is given twice (camelCase and snake_case)'],
    [{ slak: { text: 'x' } }, 'n.json: unknown field "slak"'],
  ])('when the payload is %j, then it is refused: %s', (payload, message) => {
    expect(() => parse({ notificationId: 'n', type: 't', channel: 'SMS', ...payload })).toThrow(new CliError(message));
  });
});
