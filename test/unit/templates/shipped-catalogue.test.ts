import { DEFAULT_TEMPLATES_DIR, loadCatalogue, type TemplateChannel, type TemplateParts } from '../../../src/templates';
import { KANA } from './fixtures';

/**
 * Every template × channel × locale the shipped catalogue lists, rendered with its own
 * sample.json: a broken shipped template fails here.
 */
const catalogue = loadCatalogue(DEFAULT_TEMPLATES_DIR);
const renderings = catalogue.list().flatMap((info) =>
  info.channels.flatMap(({ channel, locales }) => locales.map((locale) => [`${info.id}@${info.version}`, channel, locale, info] as const)),
);

const PARTS: Record<TemplateChannel, { required: (keyof TemplateParts)[]; allowed: (keyof TemplateParts)[] }> = {
  EMAIL: { required: ['subject', 'html'], allowed: ['subject', 'html', 'text'] },
  SMS: { required: ['body'], allowed: ['body'] },
  PUSH: { required: ['body'], allowed: ['title', 'body'] },
  SLACK: { required: ['text'], allowed: ['text'] },
  LINE: { required: ['text'], allowed: ['text'] },
};

describe('the shipped catalogue', () => {
  test('when it is loaded, then its default locale is en and order.shipped@1 has every channel in en and ja', () => {
    expect(catalogue.defaultLocale).toBe('en');
    expect(catalogue.describe('order.shipped')?.channels).toEqual(
      (['EMAIL', 'SMS', 'PUSH', 'SLACK', 'LINE'] as const).map((channel) => ({ channel, locales: ['en', 'ja'] })),
    );
  });

  test.each(renderings)('when %s %s is rendered in %s with its sample, then it has its parts, all filled, no Liquid left', (_ref, channel, locale, info) => {
    const rendered = catalogue.render({ id: info.id, version: info.version, channel, locales: [locale], timeZone: 'Asia/Tokyo', data: info.sample });
    expect(rendered).toMatchObject({ id: info.id, version: info.version, locale, formatLocale: locale, digest: expect.stringMatching(/^[0-9a-f]{12}$/) });
    const { required, allowed } = PARTS[channel];
    for (const part of required) expect(rendered.parts[part]).toBeTruthy();
    expect(allowed).toEqual(expect.arrayContaining(Object.keys(rendered.parts)));
    for (const text of Object.values(rendered.parts)) expect(text).not.toMatch(/\{\{|\{%|%\}|\}\}/);
    if (locale === 'ja') expect(Object.values(rendered.parts).join('')).toMatch(KANA);
    if (rendered.parts.subject !== undefined) expect(rendered.parts.subject).not.toMatch(/[\r\n\t]/);
  });
});

describe('order.shipped@1', () => {
  const sample = catalogue.describe('order.shipped')!.sample as Record<string, unknown>;
  const render = (channel: TemplateChannel, locale: string) =>
    catalogue.render({ id: 'order.shipped', channel, locales: [locale], timeZone: 'Asia/Tokyo', data: sample }).parts;

  test('when its sample is shown, then the total is in JPY', () => {
    expect(sample.total).toEqual({ amount: 12800, currency: 'JPY' });
  });

  test('when the English SMS is rendered, then it fits one GSM-7 segment', () => {
    const body = render('SMS', 'en').body!;
    expect(body.length).toBeLessThanOrEqual(160);
    expect(body).toMatch(/^[A-Za-z0-9 @£$¥!"#%&'()*+,\-./:;<=>?_\n]*$/);
  });

  test('when the Japanese mail is rendered, then it addresses the customer politely and says the order was shipped', () => {
    const mail = render('EMAIL', 'ja');
    expect(mail.subject).toBe('ご注文の商品を発送しました（注文番号：A-1001）');
    expect(mail.text).toContain(`${sample.customerName as string} 様`);
    expect(mail.text).toContain('発送いたしました');
    expect(mail.html).toContain('￥12,800');
    expect(mail.html).toContain('lang="ja"');
  });

  test('when the English mail is rendered, then the layout wraps the body: header, tracking button, footer', () => {
    const html = render('EMAIL', 'en').html!;
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Example Shop');
    expect(html).toContain('href="https://track.example.com/A-1001"');
    expect(html).toContain('You receive this because');
    expect(html).toContain('lang="en"');
  });
});
