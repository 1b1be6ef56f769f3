import { CatalogueError } from '../../../src/templates';
import { compileEmail, readLayout } from '../../../src/templates/mjml-email';

const LAYOUT = readLayout('plain', 'layouts/plain.mjml', '<mjml>\n  <mj-body>\n    <!-- content -->\n  </mj-body>\n</mjml>');
const section = (inner: string) => `<mj-section>\n  <mj-column>\n${inner}\n  </mj-column>\n</mj-section>`;

describe('compileEmail', () => {
  test('when the body holds Liquid in mj-text, mj-raw and attributes, then every tag and output comes through unchanged', () => {
    const liquid = [
      '{{ orderId }}',
      '{% for item in items %}',
      '{{ item }}',
      '{% endfor %}',
      '{% if trackingUrl %}',
      '{% endif %}',
      '{{ total | append: "&" }}',
      '{{ name | default: "a b" }}',
    ];
    const html = compileEmail(
      section(
        `<mj-text>Order ${liquid[0]} <ul>${liquid[1]}<li>${liquid[2]}</li>${liquid[3]}</ul> ${liquid[6]}</mj-text>\n` +
          `<mj-raw>${liquid[4]}</mj-raw>\n<mj-button href="{{ trackingUrl }}" title='${liquid[7]}'>Track</mj-button>\n<mj-raw>${liquid[5]}</mj-raw>`,
      ),
      'email.en.mjml',
      'en',
      LAYOUT,
    );
    for (const token of liquid) expect(html).toContain(token);
    expect(html).toContain('href="{{ trackingUrl }}"');
  });

  test('when Liquid sits between sections, then MJML would drop it, so it is a load error naming the file', () => {
    expect(() => compileEmail(`{% if a %}\n${section('<mj-text>x</mj-text>')}\n{% endif %}`, 'email.en.mjml', 'en', LAYOUT)).toThrow(
      /^email\.en\.mjml: MJML dropped or changed the Liquid \{% endif %\}/,
    );
  });

  test('when the body is invalid MJML, then the error names the body file and the line in it', () => {
    expect(() => compileEmail('\n\n<mj-section>\n<mj-text>x</mj-text>\n</mj-section>', 'email.en.mjml', 'en', LAYOUT)).toThrow(
      new CatalogueError('email.en.mjml: MJML error: email.en.mjml line 4 (mj-text): mj-text cannot be used inside mj-section, only inside: mj-attributes, mj-column, mj-hero'),
    );
  });

  test('when the layout sets no lang, then the document gets the file locale; a layout lang is kept', () => {
    expect(compileEmail(section('<mj-text>x</mj-text>'), 'email.ja.mjml', 'ja', LAYOUT)).toContain('<html lang="ja"');
    const fixed = readLayout('fixed', 'layouts/fixed.mjml', '<mjml lang="en">\n<mj-body>\n<!-- content -->\n</mj-body>\n</mjml>');
    expect(compileEmail(section('<mj-text>x</mj-text>'), 'email.ja.mjml', 'ja', fixed)).toContain('<html lang="en"');
  });

  test('when there is no layout, then the body is compiled on its own', () => {
    expect(compileEmail(section('<mj-text>Hello</mj-text>'), 'email.en.mjml', 'en')).toMatch(/<!doctype html>[\s\S]*Hello/i);
  });

  test('when the body has an mj-include, then no file is read', () => {
    const html = compileEmail(`<mj-include path="/etc/passwd" />\n${section('<mj-text>x</mj-text>')}`, 'email.en.mjml', 'en', LAYOUT);
    expect(html).not.toContain('root:');
  });
});

describe('readLayout', () => {
  test.each([
    ['no content line', '<mjml><mj-body></mj-body></mjml>', 0],
    ['two content lines', '<mjml><mj-body>\n<!-- content -->\n<!-- content -->\n</mj-body></mjml>', 2],
  ])('when a layout has %s, then it is refused naming the file', (_case, text, found) => {
    expect(() => readLayout('x', 'layouts/x.mjml', text)).toThrow(new CatalogueError(`layouts/x.mjml: needs exactly one line <!-- content --> (found ${found})`));
  });
});
