import { noCpu } from '../../../bench/cpu';
import { noLockTimes } from '../../../bench/mysql-counter';
import { describeLocks, Measured, median, percentile, pool, Round, roundRatios, summaryLine, targets } from '../../../bench/stats';

const batch = (done: number, elapsedMs: number, latenciesMs: number[] = [], commands = 0): Measured => ({
  done,
  elapsedMs,
  latenciesMs,
  commands,
  locks: noLockTimes(),
  cpu: noCpu(),
});

describe('percentile', () => {
  test('when asked for p50 of an odd count, then it is the middle sample, whatever the input order', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  });

  test('when asked for p50 of an even count, then it is the lower middle (nearest rank)', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
  });

  test('when asked for p99 or p100, then it is the top sample; p0 is the lowest', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
  });

  test('when there are no samples, then it is NaN rather than a made-up zero', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('median and roundRatios', () => {
  test('when the count is even, then the median averages the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('when one round was hit by foreign load, then the median ratio ignores it', () => {
    const round = (naive: number, first: number): Round => ({
      naive: batch(naive, 1000, [10]),
      ceiling: batch(naive * 2, 1000, [8]),
      first: batch(first, 1000, [20]),
      dup: batch(first * 4, 1000, [5]),
      large: batch(first, 1000, [22]),
    });
    const ratios = roundRatios([round(100, 90), round(100, 30), round(100, 95)]);
    expect(ratios.fullVsNaive.each).toEqual([0.9, 0.3, 0.95]);
    expect(ratios.fullVsNaive.median).toBe(0.9);
    expect(ratios.dupVsFirst.median).toBe(4);
    expect(ratios.p50OneMillionVsEmpty.median).toBeCloseTo(1.1);
    expect(ratios.fullVsCeiling.each).toEqual([0.45, 0.15, 0.475]);
    expect(ratios.fullVsCeiling.median).toBe(0.45);
  });

  test('when batches are pooled, then throughput is over the summed time and samples are kept', () => {
    const pooled = pool(batch(100, 1000, [1, 2], 600), batch(300, 1000, [3], 1800));
    expect(pooled).toMatchObject({ done: 400, elapsedMs: 2000, latenciesMs: [1, 2, 3], commands: 2400 });
  });
});

describe('describeLocks', () => {
  test('when a server took no lock, then nothing is added to its line', () => {
    expect(describeLocks(batch(10, 100, [5, 5]))).toBe('');
  });

  test('when locks were held, then held and taking times are given per lock and as shares of summed latency', () => {
    const m = { ...batch(2, 100, [40, 60]), locks: { heldMs: 30, acquireMs: 4, acquired: 2 } };
    expect(describeLocks(m)).toBe('; lock held 15.0 ms each = 0.30 of latency, taking it 2.0 ms = 0.04');
  });

  test('when batches are pooled, then their lock times add up', () => {
    const a = { ...batch(1, 10), locks: { heldMs: 3, acquireMs: 1, acquired: 1 } };
    expect(pool(a, a).locks).toEqual({ heldMs: 6, acquireMs: 2, acquired: 2 });
  });
});

describe('summaryLine', () => {
  const summary = {
    fullVsNaive: 1.234,
    dupVsFirst: 4.5,
    p50OneMillionVsEmpty: 0.987,
    rttFirst: 6,
    rttDup: 1,
    rssMb: 201.6,
    duplicates: 0,
    lost: 0,
    fullVsCeiling: 0.654,
  };

  test('when printed, then it has exactly the fields and order of the issue, ratios with 2 decimals', () => {
    expect(summaryLine(summary)).toBe(
      'bench: full_vs_naive=1.23 dup_vs_first=4.50 p50_1m_vs_empty=0.99 rtt_first=6 rtt_dup=1 rss_mb=202 duplicates=0 lost=0' +
        ' full_vs_ceiling=0.65',
    );
  });

  test('when a round-trip count is fractional, then it shows so (a stray query per batch must be visible)', () => {
    expect(summaryLine({ ...summary, rttFirst: 6.0133 })).toContain('rtt_first=6.01 ');
  });

  test('when a figure could not be measured, then it prints nan and its target counts as missed', () => {
    const missing = { ...summary, fullVsNaive: NaN, fullVsCeiling: NaN };
    expect(summaryLine(missing)).toContain('full_vs_naive=nan ');
    expect(summaryLine(missing)).toMatch(/ full_vs_ceiling=nan$/);
    expect(targets(missing).find((t) => t.name === 'full_vs_naive')?.met).toBe(false);
    expect(targets(missing).find((t) => t.name === 'full_vs_ceiling')?.met).toBe(false);
  });

  test('when judged, then each target uses the issue threshold', () => {
    const met = Object.fromEntries(targets({ ...summary, dupVsFirst: 2.99, rssMb: 257, lost: 1 }).map((t) => [t.name, t.met]));
    expect(met).toEqual({
      full_vs_naive: false, // 1.23 < 1.30
      full_vs_ceiling: true,
      rtt_first: false, // 6 > 3
      rtt_dup: true,
      dup_vs_first: false,
      p50_1m_vs_empty: true,
      rss_mb: false,
      duplicates: true,
      lost: false,
    });
    const ceiling = (x: number) => targets({ ...summary, fullVsCeiling: x }).find((t) => t.name === 'full_vs_ceiling')?.met;
    expect([ceiling(0.6), ceiling(0.59)]).toEqual([true, false]);
    const naive = (x: number) => targets({ ...summary, fullVsNaive: x }).find((t) => t.name === 'full_vs_naive')?.met;
    expect([naive(1.3), naive(1.29)]).toEqual([true, false]);
    const rtt = (x: number) => targets({ ...summary, rttFirst: x }).find((t) => t.name === 'rtt_first')?.met;
    expect([rtt(3), rtt(3.01)]).toEqual([true, false]);
  });
});
