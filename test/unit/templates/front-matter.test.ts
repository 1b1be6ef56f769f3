import { CatalogueError } from '../../../src/templates';
import { splitFrontMatter } from '../../../src/templates/front-matter';

describe('splitFrontMatter', () => {
  test('when a file starts with ---, then its settings are read and its body keeps the line numbers', () => {
    const fm = splitFrontMatter('---\nsubject: Hi {{ name }}\n\n---\nBody\nline', 'f', ['subject']);
    expect(fm.attributes).toEqual({ subject: 'Hi {{ name }}' });
    expect(fm.lines).toEqual({ subject: 2 });
    expect(fm.body.split('\n')[4]).toBe('Body');
    expect(fm.body.trim()).toBe('Body\nline');
  });

  test('when a file has no front matter, then the body is the whole file', () => {
    expect(splitFrontMatter('Body --- text', 'f', ['title'])).toEqual({ attributes: {}, body: 'Body --- text', lines: {} });
  });

  test.each([
    ['an unknown key', '---\nsubjet: x\n---\n', /^f line 2: unknown front matter key "subjet" \(allowed: subject\)$/],
    ['a key twice', '---\nsubject: a\nsubject: b\n---\n', /^f line 3: "subject" is set twice$/],
    ['an empty value', '---\nsubject:   \n---\n', /^f line 2: "subject" is empty$/],
    ['a line without a colon', '---\nsubject\n---\n', /^f line 2: front matter lines are "key: value"$/],
    ['no closing fence', '---\nsubject: a\nbody', /^f: front matter has no closing ---$/],
  ])('when the front matter has %s, then it is a CatalogueError naming the file and line', (_case, text, message) => {
    expect(() => splitFrontMatter(text, 'f', ['subject'])).toThrow(CatalogueError);
    expect(() => splitFrontMatter(text, 'f', ['subject'])).toThrow(message);
  });
});
