import { categoryScope, CONTACT_CHANNELS, scopesFor, SETTINGS_LIMITS, validateSettings } from '../../../src/settings/document';

const problemsOf = (body: unknown) => {
  const result = validateSettings(body);
  return result.ok ? [] : result.problems;
};
const fields = (body: unknown) => problemsOf(body).map((p) => p.field);

describe('preferences', () => {
  const rule = (type: unknown, channel: unknown = '*', enabled: unknown = false) => ({ type, channel, enabled });

  test.each(['*', 'order.*', 'order.shipped', 'order', 'order.shipped.late', 'x'.repeat(SETTINGS_LIMITS.typeLength)])('when the type is %p, then it is valid', (type) => {
    expect(problemsOf({ preferences: [rule(type)] })).toEqual([]);
  });

  test.each(['', 'a*b', 'order.*.x', '*.*', 'order.sub.*', '.*', '**', 'tab\there', 'x'.repeat(SETTINGS_LIMITS.typeLength + 1), 5, null])(
    'when the type is %p, then preferences[0].type is the problem',
    (type) => {
      expect(fields({ preferences: [rule(type)] })).toEqual(['preferences[0].type']);
    },
  );

  test('when the channel is a channel name or *, then it is valid; anything else names the channel', () => {
    for (const channel of [...CONTACT_CHANNELS, '*']) expect(problemsOf({ preferences: [rule('*', channel)] })).toEqual([]);
    for (const channel of ['FAX', 'email', 'CHANNEL_UNSPECIFIED', 1]) expect(fields({ preferences: [rule('*', channel)] })).toEqual(['preferences[0].channel']);
  });

  test('when enabled is not a boolean, then it is named', () => {
    expect(fields({ preferences: [rule('*', '*', 'false')] })).toEqual(['preferences[0].enabled']);
    expect(fields({ preferences: [{ type: '*', channel: '*' }] })).toEqual(['preferences[0].enabled']);
  });

  test('when a (type, channel) pair repeats, then the repeat names the first; the same type on another channel is fine', () => {
    expect(problemsOf({ preferences: [rule('order.*', 'SMS'), rule('order.*', '*'), rule('order.*', 'SMS', true)] })).toEqual([
      { field: 'preferences[2]', problem: 'repeats the type and channel of preferences[0]' },
    ]);
  });

  test('when there are exactly 100 rules, then they are valid; 101 is a problem', () => {
    const rules = (n: number) => Array.from({ length: n }, (_, i) => rule(`type.${i}`));
    expect(SETTINGS_LIMITS.preferenceRules).toBe(100);
    expect(problemsOf({ preferences: rules(100) })).toEqual([]);
    expect(problemsOf({ preferences: rules(101) })).toEqual([{ field: 'preferences', problem: 'has more than 100 rules' }]);
  });

  test('when preferences or a rule has the wrong shape, then that field is named', () => {
    expect(fields({ preferences: {} })).toEqual(['preferences']);
    expect(fields({ preferences: ['order.*'] })).toEqual(['preferences[0]']);
  });
});

describe('categoryScope and scopesFor', () => {
  test.each([
    ['order.shipped', 'order.*'],
    ['order.shipped.late', 'order.*'],
    ['order', undefined],
    ['.hidden', undefined],
  ])('when the type is %s, then its category scope is %p', (type, scope) => {
    expect(categoryScope(type)).toBe(scope);
  });

  test('when a type has a category, then its scopes are the type, the category and *; without one, the type and *', () => {
    expect(scopesFor('order.shipped')).toEqual(['order.shipped', 'order.*', '*']);
    expect(scopesFor('order')).toEqual(['order', '*']);
    expect(scopesFor('*')).toEqual(['*']);
  });
});
