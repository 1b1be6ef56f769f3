import { DEFAULT_TEMPLATES_DIR, TemplateError, loadCatalogue, type TemplateRequest } from '../../../src/templates';
import { fixture } from './fixtures';

const catalogue = loadCatalogue(DEFAULT_TEMPLATES_DIR);
const DATA = {
  customerName: 'Hanako Yamada',
  orderId: 'A-1001',
  shippedAt: '2026-12-07T15:30:00Z',
  total: { amount: 12800, currency: 'JPY' },
  items: ['A5 dotted notebook', 'Black gel pen ×3'],
  trackingUrl: 'https://track.example.com/A-1001',
};
const request = (over: Partial<TemplateRequest>): TemplateRequest => ({ id: 'order.shipped', channel: 'SMS', locales: [], data: DATA, ...over });
const render = (over: Partial<TemplateRequest>) => catalogue.render(request(over));

function refusal(over: Partial<TemplateRequest>, cat = catalogue): TemplateError {
  try {
    cat.render(request(over));
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error('rendered without an error');
}

describe('locale negotiation', () => {
  test.each([
    ['a ja-JP account', ['ja-JP'], 'ja', 'ja-JP'],
    ['an fr-FR account (no French files)', ['fr-FR'], 'en', 'en'],
    ['an invalid and an empty tag before ja', ['not a locale!', '', 'ja'], 'ja', 'ja'],
    ['no account locale, a ja notification', ['ja'], 'ja', 'ja'],
    ['an en-US account and a ja notification', ['en-US', 'ja'], 'en', 'en-US'],
    ['a ja account and an en notification', ['ja', 'en'], 'ja', 'ja'],
    ['an fr account and a ja-JP notification', ['fr', 'ja-JP'], 'ja', 'ja-JP'],
    ['a lower-case ja-jp tag', ['ja-jp'], 'ja', 'ja-JP'],
    ['no locales at all', [], 'en', 'en'],
  ])('when the request has %s, then the %s file is rendered, formatted in %s', (_case, locales, locale, formatLocale) => {
    expect(render({ locales })).toMatchObject({ locale, formatLocale });
  });

  test('when ja-JP leads to the ja file, then numbers and dates are formatted in ja-JP', () => {
    const text = render({ channel: 'LINE', locales: ['ja-JP'], timeZone: 'Asia/Tokyo' }).parts.text!;
    expect(text).toContain('￥12,800');
    expect(text).toContain('2026年12月8日 0:30');
  });
});

describe('escaping per channel', () => {
  const markup = '<script>alert(1)</script> & "Tom\'s"';
  const parts = (channel: TemplateRequest['channel']) => render({ channel, data: { ...DATA, orderId: markup } }).parts;

  test('when a data value holds markup, then the email HTML shows it escaped, never as markup', () => {
    const { html } = parts('EMAIL');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Tom&#39;s&#34;');
    expect(html).not.toContain('<script>alert');
  });

  test('when a data value holds markup, then SMS, LINE, push, the subject and the mail text carry it as it is', () => {
    expect(parts('SMS').body).toContain(markup);
    expect(parts('LINE').text).toContain(markup);
    expect(parts('PUSH').body).toContain(markup);
    expect(parts('EMAIL').subject).toContain(markup);
    expect(parts('EMAIL').text).toContain(markup);
  });

  test('when a data value holds markup, then Slack gets only &, < and > escaped', () => {
    expect(parts('SLACK').text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; "Tom\'s"');
  });

  test('when a subject value holds CR, LF or tabs, then each run becomes one space', () => {
    expect(render({ channel: 'EMAIL', data: { ...DATA, orderId: 'A-1\r\n\t 2\n' } }).parts.subject).toBe('Your order A-1 2 has shipped');
  });
});

describe('data problems', () => {
  test('when a required variable is missing, then TEMPLATE_DATA_INVALID names it and not the values', () => {
    const { orderId: _orderId, ...data } = DATA;
    const error = refusal({ data });
    expect(error.code).toBe('TEMPLATE_DATA_INVALID');
    expect(error.message).toBe('template order.shipped@1: data.orderId: is required');
  });

  test('when a variable has the wrong type, then TEMPLATE_DATA_INVALID names it and not the value', () => {
    const error = refusal({ data: { ...DATA, shippedAt: 'Hanako, around noon', total: { amount: 5, currency: 'yen' } } });
    expect(error).toMatchObject({ code: 'TEMPLATE_DATA_INVALID' });
    expect(error.message).toBe(
      'template order.shipped@1: data.shippedAt: is not an ISO 8601 date-time with Z or an offset; data.total.currency: is not an ISO 4217 currency code',
    );
  });

  test('when the data is not an object, then it is TEMPLATE_DATA_INVALID', () => {
    expect(refusal({ data: ['A-1001'] })).toMatchObject({ code: 'TEMPLATE_DATA_INVALID', message: 'template order.shipped@1: data: is not a JSON object' });
  });

  test('when an optional variable is missing, then every channel renders without it', () => {
    const { trackingUrl: _url, ...data } = DATA;
    for (const channel of ['EMAIL', 'SMS', 'PUSH', 'SLACK', 'LINE'] as const) {
      for (const locales of [['en'], ['ja']]) {
        const parts = render({ channel, locales, data }).parts;
        expect(Object.values(parts).join('\n')).not.toContain('track.example.com');
      }
    }
    expect(render({ channel: 'EMAIL', data }).parts.html).not.toContain('Track your package');
  });

  test('when the data has undeclared keys, then they are ignored', () => {
    expect(render({ data: { ...DATA, couponCode: 'X' } }).parts.body).toContain('A-1001');
  });
});

describe('not found', () => {
  test.each([
    ['an unknown template', { id: 'order.unknown' }, 'template order.unknown is not in the catalogue'],
    ['an unknown version', { version: 9 }, 'template order.shipped@9 is not in the catalogue (versions: 1)'],
    ['a negative version', { version: -1 }, 'template order.shipped@-1 is not in the catalogue (versions: 1)'],
    ['a malformed id', { id: '../../etc/passwd' }, 'template with an invalid id is not in the catalogue'],
    ['a channel without templates', { channel: 'WEBHOOK' }, 'template order.shipped@1 has no WEBHOOK files (it has: EMAIL, SMS, PUSH, SLACK, LINE)'],
    ['no channel', { channel: 'CHANNEL_UNSPECIFIED' }, 'template order.shipped@1 has no CHANNEL_UNSPECIFIED files (it has: EMAIL, SMS, PUSH, SLACK, LINE)'],
  ] as const)('when the request names %s, then TEMPLATE_NOT_FOUND says what was tried', (_case, over, message) => {
    expect(refusal(over as Partial<TemplateRequest>)).toMatchObject({ code: 'TEMPLATE_NOT_FOUND', message });
  });

  test('when version is 0 or absent, then the latest is rendered; a given version is rendered as it is', () => {
    const typed = loadCatalogue(fixture('typed'));
    const loop = (version?: number) => typed.render({ id: 'loop', version, channel: 'SMS', locales: [], data: { count: 2 } });
    expect(loop().version).toBe(2);
    expect(loop(0)).toMatchObject({ version: 2, parts: { body: 'Version two: 2' } });
    expect(loop(1)).toMatchObject({ version: 1, parts: { body: 'xxxx' } });
  });
});

describe('digest', () => {
  test('when the same files render twice, then the digest is the same; another locale or channel has another', () => {
    const en = render({}).digest;
    expect(render({ data: { ...DATA, orderId: 'B-2' } }).digest).toBe(en);
    expect(render({ locales: ['ja'] }).digest).not.toBe(en);
    expect(render({ channel: 'LINE' }).digest).not.toBe(en);
  });
});

describe('time zones', () => {
  test('when the time zone is unknown or absent, then UTC is used', () => {
    const utc = render({ channel: 'LINE', timeZone: 'UTC' }).parts.text;
    expect(render({ channel: 'LINE', timeZone: 'Mars/Olympus_Mons' }).parts.text).toBe(utc);
    expect(render({ channel: 'LINE' }).parts.text).toBe(utc);
    expect(render({ channel: 'LINE', timeZone: 'Asia/Tokyo' }).parts.text).not.toBe(utc);
  });
});

describe('limits', () => {
  test('when data makes a loop huge, then rendering stops at the limit with TEMPLATE_DATA_INVALID', () => {
    const typed = loadCatalogue(fixture('typed'));
    const error = refusal({ id: 'loop', version: 1, data: { count: 100_000_000 } }, typed);
    expect(error.code).toBe('TEMPLATE_DATA_INVALID');
    expect(error.message).toMatch(/^template loop@1 SMS en: typed\/loop\/1\/sms\.en\.liquid failed to render: memory alloc limit exceeded/);
  });
});
