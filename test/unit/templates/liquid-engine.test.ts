import { liquidFor, type Escaping } from '../../../src/templates/liquid-engine';

const render = (escaping: Escaping, source: string, scope: object = {}) => {
  const liquid = liquidFor(escaping);
  return String(liquid.renderSync(liquid.parse(source), scope));
};

describe('liquidFor', () => {
  test.each(['include', 'render', 'layout'])('when a template uses {%% %s %%}, then it does not parse', (tag) => {
    expect(() => liquidFor('none').parse(`{% ${tag} '/etc/passwd' %}`)).toThrow(`tag "${tag}" not found`);
  });

  test('when asked to render a file, then no file is read', () => {
    expect(() => liquidFor('none').renderFileSync('/etc/passwd')).toThrow(/Failed to lookup/);
  });

  test('when a template pipes into raw, then it does not parse: no output can skip escaping', () => {
    expect(() => liquidFor('html').parse('{{ name | raw }}')).toThrow('undefined filter: raw');
  });

  test('when a variable or a filter is unknown, then it is an error, not an empty string', () => {
    expect(() => render('none', '{{ missing }}')).toThrow('undefined variable: missing');
    expect(() => liquidFor('none').parse('{{ "a" | shout }}')).toThrow('undefined filter: shout');
  });

  test('when outputs are escaped for html, then &, <, >, " and \' are entities', () => {
    expect(render('html', '<a title="{{ v }}">{{ v }}</a>', { v: `<b>"Tom's" & co</b>` })).toBe(
      '<a title="&lt;b&gt;&#34;Tom&#39;s&#34; &amp; co&lt;/b&gt;">&lt;b&gt;&#34;Tom&#39;s&#34; &amp; co&lt;/b&gt;</a>',
    );
  });

  test('when outputs are escaped for Slack, then only &, < and > are', () => {
    expect(render('slack', '{{ v }}', { v: `<b>"Tom's" & co</b>` })).toBe(`&lt;b&gt;"Tom's" &amp; co&lt;/b&gt;`);
  });

  test('when outputs are not escaped, then values come out as they are; markup written in the template is never escaped', () => {
    expect(render('none', '{{ v }}', { v: '<b>&</b>' })).toBe('<b>&</b>');
    expect(render('html', '<b>{{ v }}</b>', { v: 'x' })).toBe('<b>x</b>');
  });

  test('when a loop would allocate a huge range, then rendering throws at the memory limit', () => {
    expect(() => render('none', '{% for i in (1..100000000) %}x{% endfor %}')).toThrow('memory alloc limit exceeded');
  });

  test('when a filter is given to an output, then escaping still applies after it', () => {
    expect(render('html', '{{ v | append: "&" }}', { v: '<' })).toBe('&lt;&amp;');
  });
});
