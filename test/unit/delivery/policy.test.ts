import { AccountPolicy, PreferenceRule } from '../../../src/delivery/ports';
import { decide, decidingRule, isExpired, matchesType } from '../../../src/delivery/policy';

const rule = (scope: string, channel: string, enabled: boolean): PreferenceRule => ({ scope, channel, enabled });
const NOW = Date.parse('2026-12-04T14:00:00Z'); // 23:00 in Tokyo
const request = { type: 'order.shipped', channel: 'SMS', mandatory: false, released: false, nowMs: NOW };
const tokyoNights: AccountPolicy = { rules: [], quietHours: { timeZone: 'Asia/Tokyo', startMinute: 22 * 60, endMinute: 7 * 60 } };

describe('matchesType', () => {
  test.each([
    ['security.password_reset', ['security.*'], true],
    ['security.password_reset', ['security.password_reset'], true],
    ['securityx.thing', ['security.*'], false],
    ['order.shipped', ['order'], false],
    ['order.shipped', [], false],
  ])('when %s is checked against %j, then it matches: %s', (type, patterns, matches) => {
    expect(matchesType(type, patterns)).toBe(matches);
  });
});

describe('decidingRule: the most specific rule wins', () => {
  const rules = [rule('*', '*', false), rule('order.*', '*', true), rule('order.*', 'SMS', false), rule('order.shipped', '*', true)];

  test.each([
    ['the type has a rule for every channel', 'order.shipped', 'SMS', rule('order.shipped', '*', true)],
    ['only the category has a rule for the channel', 'order.cancelled', 'SMS', rule('order.*', 'SMS', false)],
    ['the category has a rule for every channel', 'order.cancelled', 'EMAIL', rule('order.*', '*', true)],
    ['only * applies', 'marketing.sale', 'EMAIL', rule('*', '*', false)],
  ])('when %s, then that rule decides', (_, type, channel, expected) => {
    expect(decidingRule(rules, type, channel)).toEqual(expected);
  });

  test('when no rule matches, then there is none (the default is to send)', () => {
    expect(decidingRule([rule('marketing.*', '*', false)], 'order.shipped', 'SMS')).toBeUndefined();
  });
});

describe('decide', () => {
  test('when the account has no settings, then it is sent', () => {
    expect(decide(undefined, request)).toEqual({ action: 'send' });
  });

  test('when a rule opts the type out of the channel, then it is suppressed naming the rule', () => {
    expect(decide({ rules: [rule('order.*', 'SMS', false)] }, request)).toEqual({ action: 'suppress', code: 'OPTED_OUT', rule: 'order.* × SMS: off' });
  });

  test('when a more specific rule opts back in, then it is sent', () => {
    expect(decide({ rules: [rule('*', '*', false), rule('order.shipped', 'SMS', true)] }, request)).toEqual({ action: 'send' });
  });

  test('when it is inside quiet hours, then it is held until they end', () => {
    expect(decide(tokyoNights, request)).toEqual({ action: 'hold', releaseAtMs: Date.parse('2026-12-04T22:00:00Z') });
  });

  test('when it is outside quiet hours, then it is sent', () => {
    expect(decide(tokyoNights, { ...request, nowMs: Date.parse('2026-12-04T03:00:00Z') })).toEqual({ action: 'send' });
  });

  test('when the type is mandatory, then neither an opt-out nor quiet hours apply', () => {
    const optedOut = { ...tokyoNights, rules: [rule('*', '*', false)] };
    expect(decide(optedOut, { ...request, mandatory: true })).toEqual({ action: 'send' });
  });

  test('when the release task published it again, then quiet hours no longer hold it, but an opt-out still suppresses it', () => {
    expect(decide(tokyoNights, { ...request, released: true })).toEqual({ action: 'send' });
    expect(decide({ ...tokyoNights, rules: [rule('order.*', '*', false)] }, { ...request, released: true })).toMatchObject({ action: 'suppress' });
  });

  test('when the opt-out and quiet hours both apply, then the opt-out wins (nothing to release later)', () => {
    expect(decide({ ...tokyoNights, rules: [rule('*', 'SMS', false)] }, request)).toMatchObject({ action: 'suppress' });
  });

  test('when the time zone is unknown to this runtime, then there are no quiet hours rather than no notification', () => {
    const broken = { rules: [], quietHours: { timeZone: 'Mars/Olympus_Mons', startMinute: 0, endMinute: 1439 } };
    expect(decide(broken, request)).toEqual({ action: 'send' });
  });
});

describe('isExpired', () => {
  test.each([
    [0n, false],
    [BigInt(NOW) * 1000n, true],
    [BigInt(NOW) * 1000n + 1n, false],
    [BigInt(NOW - 1) * 1000n, true],
  ])('when expires_at_micros is %s, then expired is %s', (expiresAtMicros, expired) => {
    expect(isExpired({ expiresAtMicros }, NOW)).toBe(expired);
  });
});
