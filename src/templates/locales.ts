/**
 * Locale negotiation: which of a template's file locales serves a request, and which locale
 * formats its numbers and dates.
 */

/** The locale whose file is rendered and the locale Intl formats with. */
export interface LocaleChoice {
  /** The file's locale, e.g. 'ja'. */
  locale: string;
  /** The requested tag that led to the file, e.g. 'ja-JP'. */
  formatLocale: string;
}

/**
 * The longest tag: an account's and a notification's locale are at most this long, and a
 * rendering's reference (`id@version/locale/digest`) must fit the ledger's 200 characters.
 */
export const MAX_LOCALE_LENGTH = 35;

/** The canonical form of a BCP 47 tag ('ja-jp' → 'ja-JP'); undefined when it is empty, too long, or not one. */
export function canonicalLocale(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag === '' || tag.length > MAX_LOCALE_LENGTH) return undefined;
  try {
    const canonical = Intl.getCanonicalLocales(tag);
    return canonical.length === 1 ? canonical[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The requested tags, canonical and valid, in preference order, then the catalogue's default. */
export function preferredLocales(locales: readonly string[], defaultLocale: string): string[] {
  const valid = locales.map(canonicalLocale).filter((tag): tag is string => tag !== undefined);
  return [...new Set([...valid, defaultLocale])];
}

/** The file locales tried for one requested tag: the tag itself, then its language ('ja-JP' → 'ja'). */
export function fileCandidates(tag: string): string[] {
  let language: string;
  try {
    language = new Intl.Locale(tag).language;
  } catch {
    return [tag];
  }
  return language === tag ? [tag] : [tag, language];
}

/** The first candidate with a file among `available`; undefined when none has one. */
export function chooseLocale(preferred: readonly string[], available: ReadonlySet<string>): LocaleChoice | undefined {
  for (const tag of preferred) {
    const locale = fileCandidates(tag).find((candidate) => available.has(candidate));
    if (locale) return { locale, formatLocale: tag };
  }
  return undefined;
}

/** Every file locale `chooseLocale` tries, in order, for an error message. */
export function triedLocales(preferred: readonly string[]): string[] {
  return [...new Set(preferred.flatMap(fileCandidates))];
}
