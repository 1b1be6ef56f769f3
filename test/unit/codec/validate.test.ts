import { CHANNELS, Notification } from '../../../src/codec/notification';
import { describeProblems, isRouted, MAX_ID_LENGTH, MAX_TIMESTAMP_MICROS, validateNotification } from '../../../src/codec/validate';
import { aNotification } from '../fakes';

const withEmail = (email: Partial<NonNullable<Notification['email']>>) =>
  aNotification({ email: { to: 'alice@example.com', subject: 's', text: 't', html: '', ...email } });

describe('validateNotification', () => {
  test('when the notification is valid, then there are no problems', () => {
    expect(validateNotification(aNotification())).toEqual([]);
  });

  test('when the channel is unspecified and there is no content to route, then channel is required with UNKNOWN_CHANNEL', () => {
    expect(validateNotification(aNotification({ channel: CHANNELS.CHANNEL_UNSPECIFIED }))).toEqual([
      { field: 'channel', problem: 'is required (or routing: account_id, and content or a template)', code: 'UNKNOWN_CHANNEL' },
    ]);
  });

  const routed = (overrides: Partial<Notification> = {}) =>
    aNotification({ channel: CHANNELS.CHANNEL_UNSPECIFIED, email: undefined, content: { title: 'Shipped', body: 'On its way', url: '', data: {} }, ...overrides });

  test('when the channel is unspecified with an account and content, then it is a valid routed notification', () => {
    expect(validateNotification(routed())).toEqual([]);
    expect(isRouted(routed())).toBe(true);
  });

  test('when a routed notification has no account, then it cannot be routed and channel is required', () => {
    expect(validateNotification(routed({ accountId: '' })).map((p) => p.field)).toEqual(['channel']);
    expect(isRouted(routed({ accountId: '' }))).toBe(false);
  });

  test.each([
    [{ title: '', body: '', url: '', data: {} }, 'content.body', 'title or body is required'],
    [{ title: 'x'.repeat(257), body: 'b', url: '', data: {} }, 'content.title', 'is longer than 256 characters'],
    [{ title: 't', body: 'x'.repeat(4001), url: '', data: {} }, 'content.body', 'is longer than 4000 characters'],
    [{ title: 't', body: '', url: 'ftp://x', data: {} }, 'content.url', 'must be an https URL'],
    [{ title: 't', body: '', url: '', data: { from: 'x' } }, 'content.data', 'uses keys FCM reserves (from)'],
    [{ title: 't', body: '', url: '', data: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'content.data', 'has more than 20 entries'],
    // 1 + 1 + 3839 bytes: one more than FCM's 4096 less the 256 kept for the body.
    [{ title: 't', body: 'b', url: '', data: { k: 'x'.repeat(3839) } }, 'content.data', "with the title and url exceeds 3840 bytes (FCM's 4096, less room for the body)"],
  ])('when routed content is %j, then %s %s', (content, field, problem) => {
    expect(validateNotification(routed({ content }))).toEqual([{ field, problem, code: 'INVALID_PAYLOAD' }]);
  });

  test('when the channel number is unknown, then it is UNKNOWN_CHANNEL naming the number', () => {
    expect(validateNotification(aNotification({ channel: 42 }))).toEqual([
      { field: 'channel', problem: '42 is not a known channel', code: 'UNKNOWN_CHANNEL' },
    ]);
  });

  test.each([
    ['notification_id is empty', 'notification_id', { notificationId: '' }, 'is required'],
    ['notification_id is too long', 'notification_id', { notificationId: 'x'.repeat(MAX_ID_LENGTH + 1) }, 'is longer than 128 characters'],
    ['notification_id has a newline', 'notification_id', { notificationId: 'a\nb' }, 'contains control characters'],
    ['type is empty', 'type', { type: '' }, 'is required'],
    ['type is too long', 'type', { type: 't'.repeat(MAX_ID_LENGTH + 1) }, 'is longer than 128 characters'],
    ['type has a DEL', 'type', { type: 'a\u007fb' }, 'contains control characters'],
    ['account_id is too long', 'account_id', { accountId: 'a'.repeat(MAX_ID_LENGTH + 1) }, 'is longer than 128 characters'],
    ['account_id has a tab', 'account_id', { accountId: 'a\tb' }, 'contains control characters'],
    ['source is too long', 'source', { source: 's'.repeat(MAX_ID_LENGTH + 1) }, 'is longer than 128 characters'],
    ['source has a NUL', 'source', { source: '\u0000' }, 'contains control characters'],
    ['notification_id ends with a space (PAD SPACE collations would match it without)', 'notification_id', { notificationId: 'order-7 ' }, 'begins or ends with whitespace'],
    ['notification_id begins with an ideographic space', 'notification_id', { notificationId: '\u3000order-7' }, 'begins or ends with whitespace'],
    ['account_id ends with a no-break space', 'account_id', { accountId: 'acct-1\u00a0' }, 'begins or ends with whitespace'],
    ['type begins with a space', 'type', { type: ' order.shipped' }, 'begins or ends with whitespace'],
    ['notification_id has a lone high surrogate', 'notification_id', { notificationId: 'order-\ud83d' }, 'contains a lone surrogate (not valid Unicode)'],
    ['account_id has a lone low surrogate', 'account_id', { accountId: '\ude00acct' }, 'contains a lone surrogate (not valid Unicode)'],
    ['created_at_micros is negative', 'created_at_micros', { createdAtMicros: -1n }, 'must not be negative'],
    ['expires_at_micros is negative', 'expires_at_micros', { expiresAtMicros: -1n }, 'must not be negative'],
    ['created_at_micros is after 9999-12-31 (BigQuery TIMESTAMP, ISO dates)', 'created_at_micros', { createdAtMicros: MAX_TIMESTAMP_MICROS + 1n }, 'is after 9999-12-31'],
    ['expires_at_micros is int64 max', 'expires_at_micros', { expiresAtMicros: 2n ** 63n - 1n }, 'is after 9999-12-31'],
    ['an EMAIL notification has no email', 'email', { email: undefined }, 'is required for channel EMAIL'],
    ['the email text is one byte over 1 MiB', 'email.text', { email: { to: 'a@example.com', subject: 's', text: 'x'.repeat(1024 * 1024 + 1), html: '' } }, 'is larger than 1048576 bytes'],
    ['the email html is over 1 MiB in UTF-8 (not in characters)', 'email.html', { email: { to: 'a@example.com', subject: 's', text: 't', html: 'é'.repeat(524289) } }, 'is larger than 1048576 bytes'],
  ] as [string, string, Partial<Notification>, string][])('when %s, then %s is an INVALID_PAYLOAD problem', (_, field, overrides, problem) => {
    expect(validateNotification(aNotification(overrides))).toEqual([{ field, problem, code: 'INVALID_PAYLOAD' }]);
  });

  test('when identifiers hold inner spaces, emoji (surrogate pairs) or CJK text, then they are accepted', () => {
    expect(validateNotification(aNotification({ notificationId: '注文 42 😀', accountId: 'acct 1', source: 'orders api' }))).toEqual([]);
  });

  test('when the email text and html are exactly 1 MiB each, then they are accepted', () => {
    const email = { to: 'a@example.com', subject: 's', text: 'x'.repeat(1024 * 1024), html: 'y'.repeat(1024 * 1024) };
    expect(validateNotification(aNotification({ email }))).toEqual([]);
  });

  test('when timestamps are exactly 9999-12-31T23:59:59.999999Z, then they are accepted and still form an ISO date', () => {
    expect(validateNotification(aNotification({ createdAtMicros: MAX_TIMESTAMP_MICROS, expiresAtMicros: MAX_TIMESTAMP_MICROS }))).toEqual([]);
    expect(new Date(Number(MAX_TIMESTAMP_MICROS / 1000n)).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  test('when identifiers are exactly 128 characters, then they are accepted', () => {
    const id = 'x'.repeat(MAX_ID_LENGTH);
    expect(validateNotification(aNotification({ notificationId: id, type: id, accountId: id, source: id }))).toEqual([]);
  });

  test('when account_id and source are empty, then they are accepted (optional)', () => {
    expect(validateNotification(aNotification({ accountId: '', source: '' }))).toEqual([]);
  });

  test('when email.to is missing, then it is INVALID_RECIPIENT', () => {
    expect(validateNotification(withEmail({ to: '' }))).toEqual([
      { field: 'email.to', problem: 'is required', code: 'INVALID_RECIPIENT' },
    ]);
  });

  test.each([
    'alice',
    'alice@localhost',
    'a b@example.com',
    '<alice@example.com>',
    'alice@@example.com',
    'alice@example.com, bob@example.com',
    'alice@exa_mple.com',
    `${'a'.repeat(250)}@example.com`,
  ])('when email.to is %p, then it is not a valid address: INVALID_RECIPIENT', (to) => {
    expect(validateNotification(withEmail({ to }))).toEqual([
      { field: 'email.to', problem: 'is not a valid email address', code: 'INVALID_RECIPIENT' },
    ]);
  });

  test.each(['alice@example.com', 'a.b+tag@mail.example.co.jp', 'x@sub-domain.example'])('when email.to is %p, then it is accepted', (to) => {
    expect(validateNotification(withEmail({ to }))).toEqual([]);
  });

  test('when the subject is missing, then it is INVALID_PAYLOAD', () => {
    expect(validateNotification(withEmail({ subject: '' }))).toEqual([
      { field: 'email.subject', problem: 'is required', code: 'INVALID_PAYLOAD' },
    ]);
  });

  test.each([['LF', 'a\nb'], ['CRLF', 'a\r\nBcc: x@example.com']])('when the subject spans lines (%s), then it is INVALID_PAYLOAD', (_, subject) => {
    expect(validateNotification(withEmail({ subject }))).toEqual([
      { field: 'email.subject', problem: 'must be a single line', code: 'INVALID_PAYLOAD' },
    ]);
  });

  test('when both text and html are empty, then it is INVALID_PAYLOAD', () => {
    expect(validateNotification(withEmail({ text: '', html: '' }))).toEqual([
      { field: 'email.text', problem: 'text or html is required', code: 'INVALID_PAYLOAD' },
    ]);
  });

  test('when only html is given, then it is accepted', () => {
    expect(validateNotification(withEmail({ text: '', html: '<p>x</p>' }))).toEqual([]);
  });

  test('when the channel is SMS, then its own payload is checked and no email is needed', () => {
    const sms = aNotification({ channel: CHANNELS.SMS, email: undefined, sms: { to: '+819012345678', body: 'Hi' } });
    expect(validateNotification(sms)).toEqual([]);
    expect(validateNotification({ ...sms, sms: undefined })).toEqual([
      { field: 'sms', problem: 'is required for channel SMS', code: 'INVALID_PAYLOAD' },
    ]);
  });

  test('when several things are wrong, then the channel problem comes first, then the identifiers', () => {
    const problems = validateNotification(aNotification({ channel: 99, notificationId: '', type: '' }));
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['channel', 'UNKNOWN_CHANNEL'],
      ['notification_id', 'INVALID_PAYLOAD'],
      ['type', 'INVALID_PAYLOAD'],
    ]);
  });

  test('when an identifier and the recipient are wrong, then the identifier problem comes first', () => {
    const problems = validateNotification({ ...withEmail({ to: 'bad' }), type: '' });
    expect(problems.map((p) => p.code)).toEqual(['INVALID_PAYLOAD', 'INVALID_RECIPIENT']);
  });
});

describe('describeProblems', () => {
  test('when given problems, then it joins field and problem without any value', () => {
    const problems = validateNotification(withEmail({ to: 'secret-person', subject: '' }));
    const text = describeProblems(problems);
    expect(text).toBe('email.to is not a valid email address; email.subject is required');
    expect(text).not.toContain('secret-person');
  });

  test('when there are no problems, then it is empty', () => {
    expect(describeProblems([])).toBe('');
  });
});
