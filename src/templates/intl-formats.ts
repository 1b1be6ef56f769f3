/**
 * Intl formatters, kept: building one costs far more than using it, and a render builds
 * several. The key space is the requests' locales and zones, so the cache is bounded.
 */

type Formatter = Intl.DateTimeFormat | Intl.NumberFormat;

/** Past this many formatters the cache starts again: an unbounded set of tags cannot grow memory. */
const MAX_CACHED = 500;
const cache = new Map<string, Formatter>();

function cached<F extends Formatter>(key: string, make: () => F): F {
  let formatter = cache.get(key) as F | undefined;
  if (!formatter) {
    if (cache.size >= MAX_CACHED) cache.clear();
    formatter = make();
    cache.set(key, formatter);
  }
  return formatter;
}

/** The style of a date-time output: both parts, the date only, or the time only. */
export type DateTimeStyle = 'dateTime' | 'date' | 'time';

const STYLES: Record<DateTimeStyle, Intl.DateTimeFormatOptions> = {
  dateTime: { dateStyle: 'long', timeStyle: 'short' },
  date: { dateStyle: 'long' },
  time: { timeStyle: 'short' },
};

/** A date-time formatter in `locale` and IANA `timeZone` (already checked by `knownTimeZone`). */
export function dateTimeFormat(locale: string, style: DateTimeStyle, timeZone: string): Intl.DateTimeFormat {
  return cached(`d|${locale}|${style}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone }));
}

/** A number formatter in `locale`: a plain number, or an amount of `currency`. */
export function numberFormat(locale: string, currency?: string): Intl.NumberFormat {
  return cached(`n|${locale}|${currency ?? ''}`, () =>
    new Intl.NumberFormat(locale, currency ? { style: 'currency', currency } : undefined));
}

const zones = new Map<string, boolean>();

/** `zone` when the runtime knows it as a time zone, else 'UTC' (a wrong zone must not fail a delivery). */
export function knownTimeZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  let known = zones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (zones.size >= MAX_CACHED) zones.clear();
    zones.set(zone, known);
  }
  return known ? zone : 'UTC';
}
