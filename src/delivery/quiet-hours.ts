import type { QuietHours } from './ports';

/**
 * Quiet hours are wall-clock times in the account's IANA time zone, so their end moves with
 * daylight saving time. Everything here is pure: the instant comes in as epoch milliseconds,
 * and the time zone rules come from the runtime's ICU data through `Intl.DateTimeFormat`.
 */

const MINUTES_PER_DAY = 24 * 60;
const DAY_MS = 86_400_000;

/** A local calendar date and time of day (month 1-12), as a clock on the wall shows it. */
interface WallTime {
  year: number;
  month: number;
  day: number;
  /** Minutes after local midnight. */
  minute: number;
}

/**
 * One formatter per zone: building them is costly. Settings store zones canonical, so the
 * set is small; rows written before that may spell a zone many ways, so the cache is bounded
 * (oldest out first).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
export const MAX_CACHED_ZONES = 500;
/** How many zone spellings have a formatter now (at most MAX_CACHED_ZONES). */
export const cachedZoneCount = () => formatters.size;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    if (formatters.size >= MAX_CACHED_ZONES) formatters.delete(formatters.keys().next().value!);
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * ICU's legacy three-letter IDs, which are not IANA names yet older runtimes (Node 20)
 * accept: `IST` silently becomes India although it also abbreviates Israel and Irish time.
 * The list is ECMA-402's (test262 intl402/DateTimeFormat/timezone-legacy-non-iana.js).
 */
const ICU_LEGACY_IDS: ReadonlySet<string> = new Set([
  'ACT', 'AET', 'AGT', 'ART', 'AST', 'BET', 'BST', 'CAT', 'CNT', 'CST', 'CTT', 'EAT', 'ECT',
  'IET', 'IST', 'JST', 'MIT', 'NET', 'NST', 'PLT', 'PNT', 'PRT', 'PST', 'SST', 'VST',
]);

/**
 * Whether `timeZone` names an IANA time zone the runtime knows (`Asia/Tokyo`, `Etc/UTC`,
 * links such as `US/Eastern`; case-insensitive, as ECMA-402 matches them). Offsets such as
 * `+09:00` are refused: they have no daylight saving rules, so they are not what an
 * account's "local time" means; so are ICU's legacy IDs.
 */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || /^[+-]/.test(timeZone) || ICU_LEGACY_IDS.has(timeZone.toUpperCase())) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local date and time at instant `ms`, with the zone's offset from UTC at that instant. */
function wallClock(ms: number, timeZone: string): WallTime & { offsetMs: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const localAsUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  // Intl shows whole seconds: compare with the instant rounded down to its second.
  const offsetMs = localAsUtc - Math.floor(ms / 1000) * 1000;
  return { year: parts.year!, month: parts.month!, day: parts.day!, minute: parts.hour! * 60 + parts.minute!, offsetMs };
}

const offsetAt = (ms: number, timeZone: string) => wallClock(ms, timeZone).offsetMs;

const sameWallTime = (a: WallTime, b: WallTime) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.minute === b.minute;

/** The first instant in [lo, hi] whose offset is `offset` (the offset changes once in between). */
function transitionInstant(lo: number, hi: number, offset: number, timeZone: string): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, timeZone) === offset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The first instant after `afterMs` at which the zone's clock shows `wall`. When the clock
 * skips that time (spring forward), the instant it jumps past it; when it shows it twice
 * (fall back), the first occurrence after `afterMs`. Assumes at most one offset change within
 * a day of `wall`, which holds for every zone in the tz database.
 */
function instantOf(wall: WallTime, afterMs: number, timeZone: string): number {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, 0, wall.minute);
  const before = offsetAt(naive - DAY_MS, timeZone);
  const after = offsetAt(naive + DAY_MS, timeZone);
  const candidates = [...new Set([naive - before, naive - after])]
    .filter((t) => t > afterMs && sameWallTime(wallClock(t, timeZone), wall))
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In the gap: with the old offset the wall time falls after the jump, with the new one before it.
  const [lo, hi] = [naive - after, naive - before].sort((a, b) => a - b) as [number, number];
  return transitionInstant(lo, hi, after, timeZone);
}

function checkQuietHours(quiet: QuietHours): void {
  if (!isTimeZone(quiet.timeZone)) throw new RangeError(`quiet hours timeZone is not an IANA time zone: "${quiet.timeZone}"`);
  for (const field of ['startMinute', 'endMinute'] as const) {
    const v = quiet[field];
    if (!Number.isInteger(v) || v < 0 || v >= MINUTES_PER_DAY) {
      throw new RangeError(`quiet hours ${field} must be a whole number of minutes from 0 to 1439, got ${String(v)}`);
    }
  }
}

/** The calendar date `days` after the given one. */
function addDays(wall: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), minute: wall.minute };
}

/**
 * When the quiet hours around `nowMs` end: undefined when `nowMs` is outside them, else
 * the first instant after `nowMs` at which the local clock shows `endMinute` (see
 * `instantOf` for days when the clock skips or repeats that time). Inside means the local
 * minute of day m satisfies start <= m < end, or, when start > end (the hours span
 * midnight), m >= start or m < end; start = end is never inside. Throws a RangeError
 * naming the field for an unknown time zone or minutes outside 0-1439.
 */
export function quietHoursEnd(nowMs: number, quiet: QuietHours): number | undefined {
  checkQuietHours(quiet);
  const { startMinute: start, endMinute: end, timeZone } = quiet;
  const now = wallClock(nowMs, timeZone);
  const m = now.minute;
  const spansMidnight = start > end;
  const inside = spansMidnight ? m >= start || m < end : start <= m && m < end;
  if (!inside) return undefined;
  // Spanning midnight and still before it: the hours end on the next local date.
  const endDate = spansMidnight && m >= start ? addDays(now, 1) : now;
  return instantOf({ ...endDate, minute: end }, nowMs, timeZone);
}
