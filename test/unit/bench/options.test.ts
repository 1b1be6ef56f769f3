import { DEFAULTS, parseOptions } from '../../../bench/options';

describe('parseOptions', () => {
  test('when nothing is given, then the defaults apply', () => {
    expect(parseOptions([], {})).toEqual(DEFAULTS);
  });

  test('when flags are given as "--flag value" or "--flag=value", then both forms are read', () => {
    expect(parseOptions(['--count', '3000', '--ledger-rows=200_000', '--no-build', '--no-events'], {})).toMatchObject({
      count: 3000,
      ledgerRows: 200000,
      build: false,
      events: false,
    });
  });

  test('when both the environment and a flag set a value, then the flag wins', () => {
    expect(parseOptions(['--rounds', '2'], { BENCH_ROUNDS: '9', BENCH_COUNT: '50' })).toMatchObject({ rounds: 2, count: 50 });
  });

  test('when a value is not a positive integer, then it is refused by name', () => {
    expect(() => parseOptions(['--count', '0'], {})).toThrow('--count must be an integer ≥ 1');
    expect(() => parseOptions([], { BENCH_CONCURRENCY: 'lots' })).toThrow('BENCH_CONCURRENCY');
  });

  test('when warm-up is zero, then that is allowed (it only skips the unmeasured batches)', () => {
    expect(parseOptions(['--warmup', '0'], {}).warmup).toBe(0);
  });

  test('when a flag is unknown or lacks its value, then the usage is shown', () => {
    expect(() => parseOptions(['--cuont', '5'], {})).toThrow(/unknown flag --cuont[\s\S]*usage/);
    expect(() => parseOptions(['--count'], {})).toThrow(/needs a value/);
  });
});
