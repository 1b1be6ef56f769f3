import { canonicalLocale, chooseLocale, fileCandidates, preferredLocales } from '../../../src/templates/locales';

describe('locales', () => {
  test.each([
    ['ja-jp', 'ja-JP'],
    ['EN', 'en'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['', undefined],
    ['en_US', undefined],
    ['not a tag', undefined],
    [42, undefined],
  ])('when the tag is %p, then its canonical form is %p', (tag, canonical) => {
    expect(canonicalLocale(tag)).toBe(canonical);
  });

  test('when the requested tags include invalid and repeated ones, then the valid ones keep their order and the default comes last', () => {
    expect(preferredLocales(['ja-JP', '', 'bad tag', 'ja-jp', 'en'], 'en')).toEqual(['ja-JP', 'en']);
    expect(preferredLocales([], 'en')).toEqual(['en']);
  });

  test('when a tag has a region or script, then its file candidates are the tag, then its language', () => {
    expect(fileCandidates('ja-JP')).toEqual(['ja-JP', 'ja']);
    expect(fileCandidates('zh-Hant-TW')).toEqual(['zh-Hant-TW', 'zh']);
    expect(fileCandidates('en')).toEqual(['en']);
  });

  test('when a more specific file exists, then it wins over the language file', () => {
    expect(chooseLocale(['ja-JP'], new Set(['en', 'ja', 'ja-JP']))).toEqual({ locale: 'ja-JP', formatLocale: 'ja-JP' });
    expect(chooseLocale(['ja-JP'], new Set(['en', 'ja']))).toEqual({ locale: 'ja', formatLocale: 'ja-JP' });
  });

  test('when no candidate has a file, then there is no choice', () => {
    expect(chooseLocale(['fr-FR'], new Set(['en']))).toBeUndefined();
  });
});
