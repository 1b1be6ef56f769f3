import { cachedZoneCount, isTimeZone, MAX_CACHED_ZONES, quietHoursEnd } from '../../../src/delivery/quiet-hours';

const at = (iso: string) => Date.parse(iso);
const hm = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));

/** quietHoursEnd as an ISO string, or undefined when outside the quiet hours. */
function endOf(now: string, timeZone: string, start: string, end: string): string | undefined {
  const ms = quietHoursEnd(at(now), { timeZone, startMinute: hm(start), endMinute: hm(end) });
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

describe('quietHoursEnd: a zone without daylight saving time (Asia/Tokyo, UTC+9)', () => {
  test.each([
    ['2026-06-01T13:30:00.000Z', '22:00', '07:00', '2026-06-01T22:00:00.000Z'], // 22:30 local: ends 07:00 the next day
    ['2026-06-01T20:00:00.000Z', '22:00', '07:00', '2026-06-01T22:00:00.000Z'], // 05:00 local, after midnight: ends 07:00 that day
    ['2026-06-01T03:00:00.000Z', '12:00', '13:00', '2026-06-01T04:00:00.000Z'], // 12:00 local, within the day
    ['2026-12-31T14:59:59.000Z', '23:00', '00:30', '2026-12-31T15:30:00.000Z'], // 23:59:59 on New Year's Eve: ends next year
  ])('when it is %s and the quiet hours are %s-%s, then they end at %s', (now, start, end, expected) => {
    expect(endOf(now, 'Asia/Tokyo', start, end)).toBe(expected);
  });

  test.each([
    ['2026-06-01T12:00:00.000Z', '22:00', '07:00'], // 21:00 local, before the start
    ['2026-06-01T22:30:00.000Z', '22:00', '07:00'], // 07:30 local, after the end
    ['2026-06-01T05:00:00.000Z', '12:00', '13:00'], // 14:00 local
  ])('when it is %s and the quiet hours are %s-%s, then it is outside them', (now, start, end) => {
    expect(endOf(now, 'Asia/Tokyo', start, end)).toBeUndefined();
  });
});

describe('quietHoursEnd: the boundaries', () => {
  test('when it is exactly the start, then it is inside and the quiet hours end at the end', () => {
    expect(endOf('2026-06-01T13:00:00.000Z', 'Asia/Tokyo', '22:00', '07:00')).toBe('2026-06-01T22:00:00.000Z');
    expect(endOf('2026-06-01T03:00:00.000Z', 'Asia/Tokyo', '12:00', '13:00')).toBe('2026-06-01T04:00:00.000Z');
  });

  test('when it is the last second before the end, then it is inside until the end', () => {
    expect(endOf('2026-06-01T21:59:59.999Z', 'Asia/Tokyo', '22:00', '07:00')).toBe('2026-06-01T22:00:00.000Z');
  });

  test('when it is exactly the end, then it is outside', () => {
    expect(endOf('2026-06-01T22:00:00.000Z', 'Asia/Tokyo', '22:00', '07:00')).toBeUndefined();
    expect(endOf('2026-06-01T04:00:00.000Z', 'Asia/Tokyo', '12:00', '13:00')).toBeUndefined();
  });

  test('when start equals end, then it is never inside', () => {
    for (const now of ['2026-06-01T13:00:00.000Z', '2026-06-01T12:59:00.000Z', '2026-06-01T20:00:00.000Z']) {
      expect(endOf(now, 'Asia/Tokyo', '22:00', '22:00')).toBeUndefined();
    }
  });

  test('when the quiet hours run from midnight, then midnight itself is inside', () => {
    expect(endOf('2026-06-01T15:00:00.000Z', 'Asia/Tokyo', '00:00', '06:00')).toBe('2026-06-01T21:00:00.000Z');
  });
});

describe('quietHoursEnd: America/New_York, clocks forward on 2026-03-08 (02:00 EST -> 03:00 EDT, at 07:00Z)', () => {
  test('when the quiet hours end at 02:30, a time that does not exist that day, then they end when the clock jumps', () => {
    // 01:50 EST.
    expect(endOf('2026-03-08T06:50:00.000Z', 'America/New_York', '22:00', '02:30')).toBe('2026-03-08T07:00:00.000Z');
  });

  test('when the quiet hours span the jump (01:00-04:00), then they end at 04:00 EDT, two real hours after 02:00 EST', () => {
    expect(endOf('2026-03-08T06:30:00.000Z', 'America/New_York', '01:00', '04:00')).toBe('2026-03-08T08:00:00.000Z');
  });

  test('when the quiet hours start the evening before and end at 07:00, then the end is 07:00 EDT', () => {
    expect(endOf('2026-03-08T04:00:00.000Z', 'America/New_York', '22:00', '07:00')).toBe('2026-03-08T11:00:00.000Z');
  });

  test('when it is just after the jump (03:00 EDT), then quiet hours ending at 02:30 are over', () => {
    expect(endOf('2026-03-08T07:00:00.000Z', 'America/New_York', '22:00', '02:30')).toBeUndefined();
  });
});

describe('quietHoursEnd: America/New_York, clocks back on 2026-11-01 (02:00 EDT -> 01:00 EST, at 06:00Z)', () => {
  test('when the quiet hours end at 01:30, which occurs twice, then they end at the first 01:30 (EDT)', () => {
    // 23:00 EDT on Oct 31.
    expect(endOf('2026-11-01T03:00:00.000Z', 'America/New_York', '22:00', '01:30')).toBe('2026-11-01T05:30:00.000Z');
  });

  test('when it is in the repeated hour (01:10 EST, the second time round), then it is inside and they end at 01:30 EST', () => {
    expect(endOf('2026-11-01T06:10:00.000Z', 'America/New_York', '22:00', '01:30')).toBe('2026-11-01T06:30:00.000Z');
  });

  test('when it is 01:40 EDT, then quiet hours ending at 01:30 are over, even though 01:10 EST comes back later', () => {
    expect(endOf('2026-11-01T05:40:00.000Z', 'America/New_York', '22:00', '01:30')).toBeUndefined();
  });

  test('when the quiet hours span the repeated hour (00:00-03:00), then they end at 03:00 EST, four real hours later', () => {
    expect(endOf('2026-11-01T04:00:00.000Z', 'America/New_York', '00:00', '03:00')).toBe('2026-11-01T08:00:00.000Z');
  });
});

describe('quietHoursEnd: Europe/Berlin', () => {
  test('when clocks go forward (2026-03-29, 02:00 CET -> 03:00 CEST) and the end 02:30 does not exist, then they end at the jump', () => {
    expect(endOf('2026-03-29T00:30:00.000Z', 'Europe/Berlin', '23:00', '02:30')).toBe('2026-03-29T01:00:00.000Z');
  });

  test('when clocks go forward and the quiet hours end at 07:00, then the end is 07:00 CEST', () => {
    expect(endOf('2026-03-28T22:00:00.000Z', 'Europe/Berlin', '22:00', '07:00')).toBe('2026-03-29T05:00:00.000Z');
  });

  test('when clocks go back (2026-10-25, 03:00 CEST -> 02:00 CET) and the end 02:30 occurs twice, then the first (CEST)', () => {
    expect(endOf('2026-10-24T22:00:00.000Z', 'Europe/Berlin', '22:00', '02:30')).toBe('2026-10-25T00:30:00.000Z');
  });

  test('when it is 02:10 CET, the repeated hour, then they end at 02:30 CET', () => {
    expect(endOf('2026-10-25T01:10:00.000Z', 'Europe/Berlin', '22:00', '02:30')).toBe('2026-10-25T01:30:00.000Z');
  });
});

describe('quietHoursEnd: Australia/Lord_Howe, a half-hour daylight saving shift', () => {
  test('when clocks go back half an hour (2026-04-05, 02:00 +11 -> 01:30 +10:30) and the end 01:45 occurs twice, then the first', () => {
    // 01:00 +11.
    expect(endOf('2026-04-04T14:00:00.000Z', 'Australia/Lord_Howe', '22:00', '01:45')).toBe('2026-04-04T14:45:00.000Z');
  });

  test('when it is 01:35 +10:30, the repeated half hour, then they end at 01:45 +10:30', () => {
    expect(endOf('2026-04-04T15:05:00.000Z', 'Australia/Lord_Howe', '22:00', '01:45')).toBe('2026-04-04T15:15:00.000Z');
  });

  test('when clocks go forward half an hour (2026-10-04, 02:00 +10:30 -> 02:30 +11) and the end 02:15 does not exist, then the jump', () => {
    // 01:45 +10:30.
    expect(endOf('2026-10-03T15:15:00.000Z', 'Australia/Lord_Howe', '22:00', '02:15')).toBe('2026-10-03T15:30:00.000Z');
  });
});

describe('quietHoursEnd: Asia/Kathmandu, UTC+5:45', () => {
  test('when it is 23:45 local and the quiet hours are 22:00-06:30, then they end at 06:30 local the next day', () => {
    expect(endOf('2026-01-10T18:00:00.000Z', 'Asia/Kathmandu', '22:00', '06:30')).toBe('2026-01-11T00:45:00.000Z');
  });

  test('when it is 21:59 local, then it is outside', () => {
    expect(endOf('2026-01-10T16:14:00.000Z', 'Asia/Kathmandu', '22:00', '06:30')).toBeUndefined();
  });
});

describe('quietHoursEnd: bad input', () => {
  test('when the time zone is unknown, then it throws naming the time zone field', () => {
    expect(() => quietHoursEnd(0, { timeZone: 'Mars/Olympus_Mons', startMinute: 0, endMinute: 60 })).toThrow(
      /timeZone is not an IANA time zone: "Mars\/Olympus_Mons"/,
    );
  });

  test.each([
    ['startMinute', 1440],
    ['startMinute', -1],
    ['endMinute', 7.5],
    ['endMinute', Number.NaN],
  ])('when %s is %s, then it throws naming it', (field, value) => {
    const quiet = { timeZone: 'Asia/Tokyo', startMinute: 0, endMinute: 60, [field]: value };
    expect(() => quietHoursEnd(0, quiet)).toThrow(new RegExp(`${field} must be a whole number of minutes from 0 to 1439`));
  });
});

describe('isTimeZone', () => {
  test.each(['Asia/Tokyo', 'America/New_York', 'Etc/UTC', 'UTC', 'US/Eastern', 'Australia/Lord_Howe', 'asia/tokyo', 'EST', 'Japan'])(
    'when given %s, then it is a time zone',
    (tz) => {
      expect(isTimeZone(tz)).toBe(true);
    },
  );

  test.each(['', 'Mars/Olympus_Mons', '+09:00', '-05:00', 'JST', 'ist', 'PST', 'Asia/Tokyo ', 'GMT+9'])('when given %j, then it is not', (tz) => {
    expect(isTimeZone(tz)).toBe(false);
  });
});

describe('the per-zone formatter cache', () => {
  test('when one zone arrives in more spellings than the cache holds (rows stored before zones were canonical), then it stays bounded', () => {
    // 2^10 case variants of "asia/tokyo": each is the same zone to Intl.
    const spellings = Array.from({ length: 1024 }, (_, i) => [...'asia/tokyo'].map((ch, j) => ((i >> (j % 10)) & 1 ? ch.toUpperCase() : ch)).join(''));
    const quiet = { startMinute: 22 * 60, endMinute: 7 * 60 };
    for (const timeZone of new Set(spellings)) quietHoursEnd(Date.UTC(2026, 0, 1, 14), { ...quiet, timeZone });
    expect(cachedZoneCount()).toBe(MAX_CACHED_ZONES);
  });
});
