/**
 * How many SMS segments a text costs, as carriers (and Twilio) count them: GSM-7 when every
 * character is in the GSM 03.38 alphabet, 160 septets in one segment or 153 per segment
 * once concatenated (the user data header takes the rest); otherwise UCS-2, 70 UTF-16 code
 * units or 67 per concatenated segment.
 * https://www.twilio.com/docs/glossary/what-sms-character-limit
 * https://www.twilio.com/docs/glossary/what-is-ucs-2-character-encoding
 */

/** GSM 03.38 default alphabet, in table order, without ESC (0x1B): one septet each. */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The extension table: ESC plus the character, so two septets each. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/** Units per segment: a lone segment, and each segment of a concatenated message. */
const LIMITS = { 'GSM-7': { single: 160, concatenated: 153 }, 'UCS-2': { single: 70, concatenated: 67 } } as const;

/** What an SMS text costs. */
export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /**
   * The length the limits apply to: GSM-7 septets (an extension character such as `€` counts
   * 2) or UTF-16 code units (a character outside the BMP, such as an emoji, counts 2).
   */
  characters: number;
  /** 0 for an empty text. */
  segments: number;
}

/** Each character's size in the encoding's units. */
function unitSizes(text: string): { encoding: SmsSegments['encoding']; sizes: number[] } {
  const chars = [...text];
  if (chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c))) {
    return { encoding: 'GSM-7', sizes: chars.map((c) => (GSM_EXTENSION.has(c) ? 2 : 1)) };
  }
  return { encoding: 'UCS-2', sizes: chars.map((c) => c.length) };
}

/**
 * The encoding, length and segment count of `text`. A character of two units (an escaped
 * GSM-7 character, a UTF-16 surrogate pair) is never split across segments: when it does
 * not fit in what a segment has left, it starts the next one, as the handset must receive
 * it whole.
 */
export function smsSegments(text: string): SmsSegments {
  const { encoding, sizes } = unitSizes(text);
  const characters = sizes.reduce((sum, n) => sum + n, 0);
  if (characters === 0) return { encoding, characters, segments: 0 };
  const { single, concatenated } = LIMITS[encoding];
  if (characters <= single) return { encoding, characters, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > concatenated) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, characters, segments };
}
