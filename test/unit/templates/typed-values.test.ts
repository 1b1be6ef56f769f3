import { loadCatalogue, type TemplateRequest } from '../../../src/templates';
import { fixture } from './fixtures';

/** typed/typed.values prints `key=value|…`: one field per variable, property or comparison. */
const catalogue = loadCatalogue(fixture('typed'));
const sample = catalogue.describe('typed.values')!.sample as Record<string, unknown>;

function fields(over: Partial<TemplateRequest> = {}): Record<string, string> {
  const body = catalogue.render({ id: 'typed.values', channel: 'SMS', locales: ['en-US'], timeZone: 'UTC', data: sample, ...over }).parts.body!;
  return Object.fromEntries(body.split('|').map((field) => field.split(/=(.*)/s).slice(0, 2)));
}

describe('typed values print localised, with no filter', () => {
  test('when rendered in en-US and UTC, then each type has its English form', () => {
    const f = fields();
    expect(f).toMatchObject({ n: '1,234.5', i: '1234', b: 'true', day: 'December 31, 2026', price: '$12.50', prices: '[¥1,200]' });
    expect(f.at).toMatch(/^December 7, 2026 at 3:30\sPM$/);
    expect(f.date).toBe('December 7, 2026');
    expect(f.time).toMatch(/^3:30\sPM$/);
  });

  test('when the same instant is rendered in Asia/Tokyo, then it is nine hours later, on the next day', () => {
    const f = fields({ timeZone: 'Asia/Tokyo' });
    expect(f.at).toMatch(/^December 8, 2026 at 12:30\sAM$/);
    expect(f.date).toBe('December 8, 2026');
    expect(f.time).toMatch(/^12:30\sAM$/);
  });

  test('when rendered in ja-JP, then dates, numbers and money take Japanese forms (JPY without decimals)', () => {
    const f = fields({ locales: ['ja-JP'], timeZone: 'Asia/Tokyo' });
    expect(f).toMatchObject({ at: '2026年12月8日 0:30', date: '2026年12月8日', time: '0:30', day: '2026年12月31日', n: '1,234.5', prices: '[￥1,200]', price: '$12.50' });
  });

  test('when a date is rendered in a zone behind or ahead of UTC, then it stays the same day', () => {
    expect(fields({ timeZone: 'Pacific/Pago_Pago' }).day).toBe('December 31, 2026');
    expect(fields({ timeZone: 'Pacific/Kiritimati' }).day).toBe('December 31, 2026');
  });

  test('when money is read by property, then amount and currency are the raw values', () => {
    expect(fields()).toMatchObject({ amount: '12.5', currency: 'USD' });
  });

  test('when a number is compared or a datetime is given to the date filter, then they see the raw value', () => {
    expect(fields()).toMatchObject({ big: 'yes', year: '2026' });
    expect(fields({ data: { ...sample, n: 999 } }).big).toBe('no');
  });

  test('when optional variables are absent or null, then they are null: if and default see them as missing', () => {
    const { link: _link, tags: _tags, ...rest } = sample;
    expect(fields({ data: { ...rest, note: null } })).toMatchObject({ link: 'none', note: 'none', tags: 'none' });
  });

  test('when a URL has query parameters, then a plain-text channel prints it unchanged', () => {
    expect(fields().link).toBe('https://example.com/a?b=1&c=2');
  });

  test('when a push title value holds a line break, then the title is one line', () => {
    const parts = catalogue.render({ id: 'typed.values', channel: 'PUSH', locales: [], data: { ...sample, note: 'first\nsecond' } }).parts;
    expect(parts).toEqual({ title: 'first second', body: '1,234.5' });
  });
});
