import { BreakerState, makeCircuitBreaker } from '../../../src/gates/circuit-breaker';
import { FakeClock } from '../fakes';

function aBreaker(failureThreshold = 3, openMs = 1000) {
  const clock = new FakeClock();
  const changes: [BreakerState, BreakerState][] = [];
  const breaker = makeCircuitBreaker({ failureThreshold, openMs, clock, onChange: ({ from, to }) => changes.push([from, to]) });
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) breaker.record('failure', false);
  };
  return { breaker, clock, changes, fail };
}

describe('makeCircuitBreaker', () => {
  test('when fewer consecutive failures than the threshold happen, then it stays closed', () => {
    const { breaker, fail } = aBreaker(3);
    fail(2);
    breaker.record('success', false);
    fail(2);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ ok: true, probe: false });
  });

  test('when the threshold of consecutive failures is reached, then it opens and refuses with the time left', () => {
    const { breaker, clock, changes, fail } = aBreaker(3, 1000);
    fail(3);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([['closed', 'open']]);
    clock.now += 400;
    expect(breaker.admit()).toEqual({ ok: false, retryInMs: 600 });
  });

  test('when a call made was not really a call (not_called), then it neither counts nor resets', () => {
    const { breaker, fail } = aBreaker(3);
    fail(2);
    breaker.record('not_called', false);
    fail(1);
    expect(breaker.state).toBe('open');
  });

  test('when the open time has passed, then exactly one probe is admitted and the others wait for it', () => {
    const { breaker, clock, changes, fail } = aBreaker(2, 1000);
    fail(2);
    clock.now += 1000;
    expect(breaker.admit()).toEqual({ ok: true, probe: true });
    expect(breaker.state).toBe('half_open');
    expect(breaker.admit()).toMatchObject({ ok: false });
    expect(changes).toEqual([['closed', 'open'], ['open', 'half_open']]);
  });

  test('when the probe succeeds, then it closes and admits everyone', () => {
    const { breaker, clock, changes, fail } = aBreaker(2, 1000);
    fail(2);
    clock.now += 1000;
    breaker.admit();
    breaker.record('success', true);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ ok: true, probe: false });
    expect(changes.at(-1)).toEqual(['half_open', 'closed']);
  });

  test('when the probe fails, then it opens again for another full period', () => {
    const { breaker, clock, fail } = aBreaker(2, 1000);
    fail(2);
    clock.now += 1000;
    breaker.admit();
    clock.now += 300;
    breaker.record('failure', true);
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ ok: false, retryInMs: 1000 });
  });

  test('when the probe turns out not to call the provider, then the next caller may probe', () => {
    const { breaker, clock, fail } = aBreaker(2, 1000);
    fail(2);
    clock.now += 1000;
    breaker.admit();
    breaker.record('not_called', true);
    expect(breaker.state).toBe('half_open');
    expect(breaker.admit()).toEqual({ ok: true, probe: true });
  });

  test('when calls admitted before it opened report failures while it is open, then they do not extend the open period', () => {
    const { breaker, clock, fail } = aBreaker(2, 1000);
    fail(2);
    clock.now += 900;
    fail(5);
    clock.now += 100;
    expect(breaker.admit()).toEqual({ ok: true, probe: true });
  });

  test('when the threshold is 0, then the breaker never opens', () => {
    const { breaker, fail } = aBreaker(0);
    fail(1000);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ ok: true, probe: false });
  });
});
