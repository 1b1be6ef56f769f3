import { smsSegments } from '../../../../src/channels/sms/segments';

/**
 * GSM 03.38 default alphabet by position, written out row by row from the standard's table
 * (0x1B, the escape to the extension table, is not a character of its own).
 */
const GSM_ROWS = [
  ['@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å'],
  ['Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', /* ESC */ 'Æ', 'æ', 'ß', 'É'],
  [' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/'],
  ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?'],
  ['¡', ...'ABCDEFGHIJKLMNO'],
  [...'PQRSTUVWXYZ', 'Ä', 'Ö', 'Ñ', 'Ü', '§'],
  ['¿', ...'abcdefghijklmno'],
  [...'pqrstuvwxyz', 'ä', 'ö', 'ñ', 'ü', 'à'],
];
const GSM_BASIC = GSM_ROWS.flat();
const GSM_EXTENSION = ['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];

/** Look-alikes and neighbours of the alphabet that are not in it: each forces UCS-2. */
const NOT_GSM = ['ç', 'á', 'Ã', 'ê', '`', '’', '“', '–', '…', '\t', 'あ', '円', '，', 'ё', '\u00a0'];

describe('smsSegments: the GSM 03.38 alphabet, entry by entry', () => {
  test('the table has 127 basic characters (128 positions less ESC)', () => {
    expect(GSM_BASIC).toHaveLength(127);
    expect(new Set(GSM_BASIC).size).toBe(127);
  });

  test.each(GSM_BASIC.map((c) => [JSON.stringify(c), c]))('when the text is %s alone, then it is GSM-7, 1 septet', (_, c) => {
    expect(smsSegments(c)).toEqual({ encoding: 'GSM-7', characters: 1, segments: 1 });
  });

  test.each(GSM_EXTENSION.map((c) => [JSON.stringify(c), c]))('when the text is the extension character %s, then it is GSM-7, 2 septets', (_, c) => {
    expect(smsSegments(c)).toEqual({ encoding: 'GSM-7', characters: 2, segments: 1 });
  });

  test.each(NOT_GSM.map((c) => [JSON.stringify(c), c]))('when the text holds %s, then the whole text is UCS-2', (_, c) => {
    expect(smsSegments(`Hello ${c}`)).toEqual({ encoding: 'UCS-2', characters: 7, segments: 1 });
  });
});

describe('smsSegments: lengths and segments', () => {
  test('when the text is empty, then it costs 0 segments', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', characters: 0, segments: 0 });
  });

  test.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('when a GSM-7 text has %i septets, then it takes %i segment(s)', (n, segments) => {
    expect(smsSegments('a'.repeat(n))).toEqual({ encoding: 'GSM-7', characters: n, segments });
  });

  test.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('when a UCS-2 text has %i code units, then it takes %i segment(s)', (n, segments) => {
    expect(smsSegments('あ'.repeat(n))).toEqual({ encoding: 'UCS-2', characters: n, segments });
  });

  test('when extension characters fill exactly 160 septets, then it is one segment; one more septet makes two', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1 });
    expect(smsSegments(`${'€'.repeat(80)}a`)).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2 });
  });

  test('when an extension character would straddle two concatenated segments, then it moves whole to the next', () => {
    // 306 septets fit 2 × 153, but after 152 the escaped `€` cannot take the last septet: 152 | 153 | 1.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({ encoding: 'GSM-7', characters: 306, segments: 3 });
    expect(smsSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toEqual({ encoding: 'GSM-7', characters: 306, segments: 2 });
  });

  test('when an emoji (a surrogate pair) counts 2 code units, then 35 of them fit one segment and 36 take two', () => {
    expect(smsSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1 });
    expect(smsSegments('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', characters: 72, segments: 2 });
  });

  test('when a surrogate pair would straddle two concatenated segments, then it moves whole to the next', () => {
    // 134 units fit 2 × 67, but after 66 the pair cannot take the last unit: 66 | 67 | 1.
    expect(smsSegments(`${'あ'.repeat(66)}😀${'あ'.repeat(66)}`)).toEqual({ encoding: 'UCS-2', characters: 134, segments: 3 });
    expect(smsSegments(`${'あ'.repeat(65)}😀${'あ'.repeat(67)}`)).toEqual({ encoding: 'UCS-2', characters: 134, segments: 2 });
  });

  test('when a Japanese text of 84 characters is sent, then it is 2 UCS-2 segments', () => {
    expect(smsSegments('ご注文の商品を発送しました。'.repeat(6))).toEqual({ encoding: 'UCS-2', characters: 84, segments: 2 });
  });
});
