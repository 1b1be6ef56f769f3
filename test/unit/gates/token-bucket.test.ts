import { makeTokenBucket } from '../../../src/gates/token-bucket';
import { FakeClock } from '../fakes';

describe('makeTokenBucket', () => {
  test('when the rate is 0, then every take succeeds (no limit)', () => {
    const bucket = makeTokenBucket({ ratePerSecond: 0, burst: 0, clock: new FakeClock() });
    for (let i = 0; i < 1000; i++) expect(bucket.take()).toBe(0);
  });

  test('when the burst is spent, then take says how long until the next token', () => {
    const clock = new FakeClock();
    const bucket = makeTokenBucket({ ratePerSecond: 10, burst: 3, clock });
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(100);
    clock.now += 60;
    expect(bucket.take()).toBe(40);
  });

  test('when time passes, then tokens come back at the rate and never beyond the burst', () => {
    const clock = new FakeClock();
    const bucket = makeTokenBucket({ ratePerSecond: 2, burst: 2, clock });
    bucket.take();
    bucket.take();
    clock.now += 500;
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
    clock.now += 60_000;
    expect([bucket.take(), bucket.take()]).toEqual([0, 0]);
    expect(bucket.take()).toBeGreaterThan(0);
  });

  test('when a taken token is refunded, then it can be taken again, but the bucket never exceeds its burst', () => {
    const clock = new FakeClock();
    const bucket = makeTokenBucket({ ratePerSecond: 1, burst: 1, clock });
    expect(bucket.take()).toBe(0);
    bucket.refund();
    bucket.refund();
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
  });

  test('when the burst is configured below 1, then one call at a time is still possible', () => {
    const bucket = makeTokenBucket({ ratePerSecond: 0.5, burst: 0, clock: new FakeClock() });
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(2000);
  });
});
