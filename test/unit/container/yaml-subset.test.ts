import { parseYamlSubset } from './yaml-subset';

describe('parseYamlSubset', () => {
  test('when given the constructs cloudbuild.yaml uses, then it reads them as YAML does (every scalar a string)', () => {
    const text = [
      '# comment',
      'top: plain value # trailing comment',
      "quoted: 'it''s # not a comment'",
      'double: "a \\"b\\""',
      'empty: \'\'',
      'list:',
      '  - id: one',
      '    args: [a, \'b c\', "--x=${_Y}"]',
      '    script: |',
      '      echo "$$HOME"',
      '',
      '      # kept: inside the block',
      '  - id: two',
      '    nested:',
      '      - |-',
      '        no final newline',
      '      - -c',
      'same-indent:',
      '- first',
      '- second',
    ].join('\n');
    expect(parseYamlSubset(text)).toEqual({
      top: 'plain value',
      quoted: "it's # not a comment",
      double: 'a "b"',
      empty: '',
      list: [
        { id: 'one', args: ['a', 'b c', '--x=${_Y}'], script: 'echo "$$HOME"\n\n# kept: inside the block\n' },
        { id: 'two', nested: ['no final newline', '-c'] },
      ],
      'same-indent': ['first', 'second'],
    });
  });

  test.each([
    ['an anchor', 'a: &x 1'],
    ['an alias', 'a: *x'],
    ['a flow mapping', 'a: {b: 1}'],
    ['a folded scalar', 'a: >\n  text'],
    ['a nested flow sequence', 'a: [b, [c]]'],
    ['a flow sequence over several lines', 'a: [b,\n  c]'],
    ['a duplicate key', 'a: 1\na: 2'],
    ['an empty value', 'a:\nb: 1'],
    ['a tab', 'a:\n\t- b'],
    ['stray indentation', 'a: 1\n  b: 2'],
  ])('when given %s, then it throws instead of guessing', (_what, text) => {
    expect(() => parseYamlSubset(text)).toThrow(/yaml-subset: line \d+/);
  });
});
