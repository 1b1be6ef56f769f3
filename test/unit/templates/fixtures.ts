import path from 'node:path';

/** A catalogue under test/fixtures/templates/. */
export const fixture = (name: string): string => path.join(__dirname, '../../fixtures/templates', name);

/** Hiragana or katakana: text written in Japanese. */
export const KANA = /[\u3040-\u30ff]/;
