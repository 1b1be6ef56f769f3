import { CONTACT_CHANNELS, SETTINGS_LIMITS, SettingsProblem, validateSettings } from '../../../src/settings/document';

/** The problems of a body, or [] when it is valid. */
const problemsOf = (body: unknown, ctx?: { accountId?: string }): SettingsProblem[] => {
  const result = validateSettings(body, ctx);
  return result.ok ? [] : result.problems;
};
const fields = (body: unknown) => problemsOf(body).map((p) => p.field);

const VALID_ADDRESS = {
  EMAIL: (i: number) => `user${i}@example.com`,
  SMS: (i: number) => `+8190123456${String(i).padStart(2, '0')}`,
  PUSH: (i: number) => `token-${i}`,
  SLACK: (i: number) => `#alerts-${i}`,
  LINE: (i: number) => `U${String(i).padStart(32, '0')}`,
  WEBHOOK: (i: number) => `https://hooks.example.com/${i}`,
} as const;

describe('the whole document', () => {
  test('when the body is the example, then it is valid and comes back as given', () => {
    const body = {
      locale: 'ja-JP', timeZone: 'Asia/Tokyo', quietHours: { start: '22:00', end: '07:00' },
      contacts: { EMAIL: ['a@example.com'], SMS: ['+819012345678'], PUSH: ['token-1', 'token-2'] },
      preferences: [{ type: 'marketing.*', channel: '*', enabled: false }, { type: 'order.shipped', channel: 'SMS', enabled: true }],
    };
    expect(validateSettings(body)).toEqual({ ok: true, document: body });
  });

  test('when the body is empty, then it is valid with no contacts and no rules', () => {
    expect(validateSettings({})).toEqual({ ok: true, document: { contacts: {}, preferences: [] } });
  });

  test.each([null, [], 'text', 42, true])('when the body is %p, then the one problem is that it must be an object', (body) => {
    expect(problemsOf(body)).toEqual([{ field: '(body)', problem: 'must be a JSON object' }]);
  });

  test('when fields are unknown (a misspelling), then each is a problem named by its path', () => {
    expect(fields({ timezone: 'Asia/Tokyo', quietHours: { start: '22:00', end: '07:00', days: [] }, contacts: { FAX: [] },
      preferences: [{ type: '*', channel: '*', enabled: true, note: 'x' }], timeZone: 'UTC' })).toEqual(
      ['timezone', 'quietHours.days', 'contacts.FAX', 'preferences[0].note'],
    );
  });

  test('when an unknown field name is long or has control characters, then it is shown cut short and cleaned', () => {
    const [p] = problemsOf({ [`a\u0001${'b'.repeat(100)}`]: 1 });
    expect(p.field).toBe(`a?${'b'.repeat(62)}…`);
  });

  test("when GET's read-only fields are sent back, then they are accepted; a different accountId is a problem", () => {
    expect(problemsOf({ accountId: 'acct-1', updatedAt: '2026-01-01T00:00:00.000Z' }, { accountId: 'acct-1' })).toEqual([]);
    expect(fields({ accountId: 'acct-2' })).toEqual(['accountId']);
    expect(fields({ updatedAt: 5 })).toEqual(['updatedAt']);
  });
});

describe('locale', () => {
  test.each([['ja-JP', 'ja-JP'], ['ja-jp', 'ja-JP'], ['zh-hant-tw', 'zh-Hant-TW'], ['en', 'en']])('when it is %s, then it is stored as %s', (locale, canonical) => {
    expect(validateSettings({ locale })).toMatchObject({ ok: true, document: { locale: canonical } });
  });

  test.each(['ja_JP', '', 'x', 42, null])('when it is %p, then locale is the problem', (locale) => {
    expect(fields({ locale })).toEqual(['locale']);
  });

  test('when the canonical tag is longer than the column, then locale is too long', () => {
    const tag = `en-${Array.from({ length: 5 }, (_, i) => `abcde${i}`).join('-')}`;
    expect(tag.length).toBeGreaterThan(SETTINGS_LIMITS.localeLength);
    expect(problemsOf({ locale: tag })).toEqual([{ field: 'locale', problem: `is longer than ${SETTINGS_LIMITS.localeLength} characters` }]);
  });
});

describe('timeZone and quietHours', () => {
  test.each(['Asia/Tokyo', 'UTC', 'America/Argentina/Buenos_Aires'])('when the zone is %s, then it is valid', (timeZone) => {
    expect(problemsOf({ timeZone })).toEqual([]);
  });

  test.each([
    ['asia/tokyo', 'Asia/Tokyo'],
    ['ASIA/TOKYO', 'Asia/Tokyo'],
    ['US/Eastern', 'America/New_York'],
  ])('when the zone is spelled %s, then it is stored canonical, %s', (timeZone, canonical) => {
    const result = validateSettings({ timeZone });
    expect(result.ok && result.document.timeZone).toBe(canonical);
  });

  test.each(['Mars/Olympus', 'Pacific Time', '+09:00', '', 7, `Asia/${'x'.repeat(SETTINGS_LIMITS.timeZoneLength)}`])('when the zone is %p, then timeZone is the problem', (timeZone) => {
    expect(fields({ timeZone })).toEqual(['timeZone']);
  });

  test('when quiet hours span midnight or not, then both are valid; 00:00 and 23:59 are the edges', () => {
    for (const q of [{ start: '22:00', end: '07:00' }, { start: '00:00', end: '23:59' }]) {
      expect(problemsOf({ timeZone: 'UTC', quietHours: q })).toEqual([]);
    }
  });

  test('when quiet hours are set without a time zone, then timeZone is required', () => {
    expect(problemsOf({ quietHours: { start: '22:00', end: '07:00' } })).toEqual([{ field: 'timeZone', problem: 'is required when quietHours is set' }]);
  });

  test.each(['24:00', '7:00', '07:60', '0700', '', 7])('when an end is %p, then that end is the problem', (end) => {
    expect(fields({ timeZone: 'UTC', quietHours: { start: '22:00', end } })).toEqual(['quietHours.end']);
  });

  test('when start equals end, or an end is missing, or it is not an object, then quietHours is named', () => {
    expect(fields({ timeZone: 'UTC', quietHours: { start: '22:00', end: '22:00' } })).toEqual(['quietHours']);
    expect(fields({ timeZone: 'UTC', quietHours: { start: '22:00' } })).toEqual(['quietHours.end']);
    expect(fields({ timeZone: 'UTC', quietHours: '22:00-07:00' })).toEqual(['quietHours']);
  });
});

describe('contacts', () => {
  test.each(CONTACT_CHANNELS)('when %s has exactly its limit of addresses, then it is valid; one more is a problem', (channel) => {
    const max = SETTINGS_LIMITS.contactsPerChannel[channel];
    const list = (n: number) => Array.from({ length: n }, (_, i) => VALID_ADDRESS[channel](i));
    expect(problemsOf({ contacts: { [channel]: list(max) } })).toEqual([]);
    expect(problemsOf({ contacts: { [channel]: list(max + 1) } })).toEqual([{ field: `contacts.${channel}`, problem: `has more than ${max} addresses` }]);
  });

  test('when the limits are the issue\'s, then PUSH allows 10 devices and every other channel 3', () => {
    expect(SETTINGS_LIMITS.contactsPerChannel).toEqual({ EMAIL: 3, SMS: 3, PUSH: 10, SLACK: 3, LINE: 3, WEBHOOK: 3 });
  });

  test.each([
    ['EMAIL', 'not-an-address', 'is not a valid email address'],
    ['SMS', '090-1234-5678', 'is not an E.164 phone number (+ and 7 to 15 digits)'],
    ['PUSH', 'has space', 'is not an FCM registration token'],
    ['SLACK', 'Not A Channel', 'is not a Slack conversation ID or channel name'],
    ['LINE', 'someone', 'is not a LINE user, group or room ID'],
    ['WEBHOOK', 'ftp://example.com/x', 'must be an https URL'],
  ])('when a %s address is %p, then contacts.%s[1] says why without repeating it', (channel, bad, why) => {
    const problems = problemsOf({ contacts: { [channel]: [VALID_ADDRESS[channel as keyof typeof VALID_ADDRESS](0), bad] } });
    expect(problems).toEqual([{ field: `contacts.${channel}[1]`, problem: why }]);
    expect(JSON.stringify(problems)).not.toContain(bad);
  });

  test('when an address repeats within a channel, then the repeat names the first; the same address on two channels is fine', () => {
    expect(problemsOf({ contacts: { EMAIL: ['a@example.com', 'b@example.com', 'a@example.com'] } })).toEqual([
      { field: 'contacts.EMAIL[2]', problem: 'repeats contacts.EMAIL[0]' },
    ]);
    expect(problemsOf({ contacts: { SLACK: ['#a'], WEBHOOK: ['https://x.example.com/a'], EMAIL: ['a@example.com'] } })).toEqual([]);
  });

  test('when contacts or a channel has the wrong shape, then that field is named', () => {
    expect(fields({ contacts: ['a@example.com'] })).toEqual(['contacts']);
    expect(fields({ contacts: { EMAIL: 'a@example.com' } })).toEqual(['contacts.EMAIL']);
    expect(fields({ contacts: { SMS: [819012345678] } })).toEqual(['contacts.SMS[0]']);
    expect(fields({ contacts: { CHANNEL_UNSPECIFIED: [] } })).toEqual(['contacts.CHANNEL_UNSPECIFIED']);
  });

  test('when a channel has an empty list, then it is left out of the document', () => {
    expect(validateSettings({ contacts: { EMAIL: [], SMS: ['+819012345678'] } })).toMatchObject({ ok: true, document: { contacts: { SMS: ['+819012345678'] } } });
  });
});
