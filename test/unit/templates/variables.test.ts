import { checkData, describeDataProblems, parseVariableSpec, variableTypeProblem } from '../../../src/templates/variables';

const problemsOf = (spec: string, value: unknown) => checkData({ v: spec }, value === undefined ? {} : { v: value });

describe('variableTypeProblem', () => {
  test.each(['string', 'number', 'integer', 'boolean', 'datetime', 'date', 'money', 'url', 'url?', 'string[]', 'money[]?'])(
    'when the type is %s, then it is valid',
    (spec) => expect(variableTypeProblem(spec)).toBeUndefined(),
  );

  test.each(['strng', 'String', 'string?[]', 'string[][]', 'string??', '', ' string', 'object'])(
    'when the type is "%s", then the problem says which types exist',
    (spec) => expect(variableTypeProblem(spec)).toMatch(/is not a type: use one of string, number, integer, boolean, datetime, date, money, url/),
  );

  test('when the type is not a string, then it is refused', () => {
    expect(variableTypeProblem(3 as unknown as string)).toBe('the type is not a string');
  });

  test('when a type has both suffixes, then it is an optional array', () => {
    expect(parseVariableSpec('money[]?')).toEqual({ type: 'money', array: true, optional: true });
  });
});

describe('checkData, type by type', () => {
  const cases: [spec: string, valid: unknown[], invalid: unknown[], problem: string][] = [
    ['string', ['', 'Ann', '山田'], [1, true, {}, ['a']], 'is not a string'],
    ['number', [0, -1.5, 1e9], ['1', Number.NaN, Infinity, true], 'is not a number'],
    ['integer', [0, -3, 2 ** 53 - 1], [1.5, '1', 2 ** 53, true], 'is not an integer'],
    ['boolean', [true, false], ['true', 0, 1], 'is not a boolean'],
    [
      'datetime',
      ['2026-12-07T15:30:00Z', '2026-12-07T15:30Z', '2026-12-07T15:30:00.123456+09:00', '2026-12-07T15:30:00-0500'],
      ['2026-12-07T15:30:00', '2026-12-07', '2026-02-30T00:00:00Z', '2026-12-07T24:00:00Z', '2026-12-07 15:30:00Z', 'yesterday', 1700000000],
      'is not an ISO 8601 date-time with Z or an offset',
    ],
    ['date', ['2026-12-31', '2024-02-29'], ['2026-02-29', '2026-13-01', '2026-1-1', '2026-12-31T00:00:00Z', 20261231], 'is not a date (YYYY-MM-DD)'],
    [
      'url',
      ['https://example.com', 'http://example.com/a?b=1&c=2'],
      [
        'example.com', '/relative', 'javascript:alert(1)', 'ftp://example.com', 'mailto:a@example.com', 'https://', 42,
        // Characters URL parsing accepts that would change the markup around a link (Slack's <url|label>, a line break in an SMS).
        'https://example.com/a|Click here', 'https://example.com/a b', 'https://example.com/a\nb', 'https://example.com/<b>', 'https://example.com/"x',
      ],
      'is not an absolute http(s) URL without spaces, control characters, |, <, > or "',
    ],
  ];

  for (const [spec, valid, invalid, problem] of cases) {
    test.each(valid.map((v) => [JSON.stringify(v), v]))(`when a ${spec} is %s, then it passes`, (_shown, value) => {
      expect(problemsOf(spec, value)).toEqual([]);
    });
    test.each(invalid.map((v) => [String(v), v]))(`when a ${spec} is %s, then it is refused by name: ${problem}`, (_shown, value) => {
      expect(problemsOf(spec, value)).toEqual([{ variable: 'v', problem }]);
    });
  }

  test('when an array holds more than 1000 items, then it is refused by name, however valid each item', () => {
    expect(checkData({ items: 'string[]' }, { items: Array(1000).fill('x') })).toEqual([]);
    expect(checkData({ items: 'string[]' }, { items: Array(1001).fill('x') })).toEqual([{ variable: 'items', problem: 'has more than 1000 items' }]);
  });

  test('when a money object is complete, then it passes', () => {
    expect(problemsOf('money', { amount: 12800, currency: 'JPY' })).toEqual([]);
    expect(problemsOf('money', { amount: -0.5, currency: 'USD' })).toEqual([]);
  });

  test.each([
    ['a number', 12800, [{ variable: 'v', problem: 'is not a money object {"amount", "currency"}' }]],
    ['an array', [12800, 'JPY'], [{ variable: 'v', problem: 'is not a money object {"amount", "currency"}' }]],
    ['without its amount', { currency: 'JPY' }, [{ variable: 'v.amount', problem: 'is required' }]],
    ['with a text amount', { amount: '12800', currency: 'JPY' }, [{ variable: 'v.amount', problem: 'is not a number' }]],
    ['without its currency', { amount: 1 }, [{ variable: 'v.currency', problem: 'is required' }]],
    ['with a lower-case currency', { amount: 1, currency: 'jpy' }, [{ variable: 'v.currency', problem: 'is not an ISO 4217 currency code' }]],
    ['with a currency symbol', { amount: 1, currency: '¥' }, [{ variable: 'v.currency', problem: 'is not an ISO 4217 currency code' }]],
  ])('when a money value is %s, then the problem names the field', (_case, value, expected) => {
    expect(problemsOf('money', value)).toEqual(expected);
  });
});

describe('checkData, presence, arrays and the data itself', () => {
  test.each([null, [], 'text', 3, undefined])('when the data is %p, then the one problem is that it is not a JSON object', (data) => {
    expect(checkData({ v: 'string' }, data)).toEqual([{ variable: '', problem: 'is not a JSON object' }]);
  });

  test('when a required variable is missing or null, then it is required', () => {
    expect(checkData({ a: 'string', b: 'money' }, { b: null })).toEqual([
      { variable: 'a', problem: 'is required' },
      { variable: 'b', problem: 'is required' },
    ]);
  });

  test('when an optional variable is missing or null, then it passes, but present it must have its type', () => {
    expect(checkData({ a: 'url?', b: 'string[]?' }, { b: null })).toEqual([]);
    expect(checkData({ a: 'url?' }, { a: 'not a url' })).toEqual([{ variable: 'a', problem: 'is not an absolute http(s) URL without spaces, control characters, |, <, > or "' }]);
  });

  test('when an array holds a wrong item, then the problem names its index', () => {
    expect(checkData({ items: 'string[]' }, { items: ['a', 2, 'c', null] })).toEqual([
      { variable: 'items[1]', problem: 'is not a string' },
      { variable: 'items[3]', problem: 'is not a string' },
    ]);
    expect(checkData({ totals: 'money[]' }, { totals: [{ amount: 1, currency: 'x' }] })).toEqual([
      { variable: 'totals[0].currency', problem: 'is not an ISO 4217 currency code' },
    ]);
  });

  test('when an array variable is not an array, then it says so; an empty array passes', () => {
    expect(checkData({ items: 'string[]' }, { items: 'a' })).toEqual([{ variable: 'items', problem: 'is not an array' }]);
    expect(checkData({ items: 'string[]' }, { items: [] })).toEqual([]);
  });

  test('when the data has keys no variable declares, then they are ignored', () => {
    expect(checkData({ a: 'string' }, { a: 'x', extra: { anything: true } })).toEqual([]);
  });

  test('when a required variable is only inherited, then it is missing', () => {
    expect(checkData({ toString: 'string' }, {})).toEqual([{ variable: 'toString', problem: 'is required' }]);
  });
});

describe('describeDataProblems', () => {
  test('when there are problems, then each is data.<path>: <problem>, joined by "; "', () => {
    expect(describeDataProblems([
      { variable: 'total.currency', problem: 'is not an ISO 4217 currency code' },
      { variable: 'shippedAt', problem: 'is required' },
    ])).toBe('data.total.currency: is not an ISO 4217 currency code; data.shippedAt: is required');
    expect(describeDataProblems([{ variable: '', problem: 'is not a JSON object' }])).toBe('data: is not a JSON object');
  });

  test('when there are very many problems, then ten are shown and the rest counted', () => {
    const problems = checkData({ items: 'string[]' }, { items: Array.from({ length: 25 }, () => 0) });
    const text = describeDataProblems(problems);
    expect(text.split('; ')).toHaveLength(11);
    expect(text).toMatch(/data\.items\[9\]: is not a string; and 15 more$/);
  });

  test('when a value is wrong, then neither the problems nor the message contain it', () => {
    const secret = 'Hanako Yamada, 090-1234-5678';
    const problems = checkData({ n: 'integer', d: 'datetime', u: 'url' }, { n: secret, d: secret, u: secret });
    expect(JSON.stringify(problems) + describeDataProblems(problems)).not.toContain('Hanako');
  });
});
