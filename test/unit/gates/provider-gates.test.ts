import { ChannelName } from '../../../src/codec/notification';
import { OutcomeUnknownError, PermanentError, TransientError } from '../../../src/delivery/failures';
import { GatePermit, GateRefusal } from '../../../src/delivery/ports';
import { breakerResult, makeProviderGates, MAX_TRACKED_PROVIDERS, ProviderGatesOptions } from '../../../src/gates/provider-gates';
import { FakeClock } from '../fakes';

function someGates(overrides: Partial<ProviderGatesOptions> = {}) {
  const clock = new FakeClock();
  const changes: { channel: ChannelName; provider: string; to: string }[] = [];
  const gates = makeProviderGates({
    ratePerSecond: {},
    breaker: { failureThreshold: 2, openMs: 1000 },
    maxRetryAfterMs: 60_000,
    clock,
    onBreakerChange: ({ channel, provider, to }) => changes.push({ channel, provider, to }),
    ...overrides,
  });
  return { gates, clock, changes };
}

const admitted = (p: GatePermit | GateRefusal): GatePermit => {
  if (!p.admitted) throw new Error(`refused: ${p.outcome}`);
  return p;
};

const unavailable = () => new TransientError('PROVIDER_UNAVAILABLE', 'twilio answered HTTP 503');

describe('breakerResult: what a call result means for the breaker', () => {
  test.each([
    ['no error', undefined, 'success'],
    ['a permanent refusal (the provider answered)', new PermanentError('INVALID_RECIPIENT', 'x'), 'success'],
    ['a deferral of one recipient (greylisting, mailbox full)', new TransientError('RECIPIENT_DEFERRED', 'x'), 'success'],
    ['the provider unavailable', unavailable(), 'failure'],
    ['a provider timeout', new TransientError('PROVIDER_TIMEOUT', 'x'), 'failure'],
    ['no answer after sending', new OutcomeUnknownError('x'), 'failure'],
    ['the provider rate limit (429)', new TransientError('RATE_LIMITED', 'x'), 'not_called'],
    ['our own database', new TransientError('DATABASE_UNAVAILABLE', 'x'), 'not_called'],
    ['an internal error', new TransientError('INTERNAL', 'x'), 'not_called'],
  ])('when the call ended with %s, then it counts as %s', (_, error, result) => {
    expect(breakerResult(error)).toBe(result);
  });
});

describe('makeProviderGates', () => {
  test('when a channel has a rate, then calls beyond it are refused as rate_limited with the wait, and others pass', () => {
    const { gates, clock } = someGates({ ratePerSecond: { SMS: 2 } });
    admitted(gates.admit('SMS', 'twilio')).settle();
    admitted(gates.admit('SMS', 'twilio')).settle();
    expect(gates.admit('SMS', 'twilio')).toEqual({ admitted: false, outcome: 'rate_limited', retryInMs: 500 });
    expect(gates.admit('EMAIL', 'smtp').admitted).toBe(true);
    clock.now += 500;
    expect(gates.admit('SMS', 'twilio').admitted).toBe(true);
  });

  test('when a permit is cancelled (no call made), then its token is given back', () => {
    const { gates } = someGates({ ratePerSecond: { SMS: 1 } });
    admitted(gates.admit('SMS', 'twilio')).cancel();
    expect(gates.admit('SMS', 'twilio').admitted).toBe(true);
  });

  test('when a permit is settled and then cancelled, then only the settlement counts', () => {
    const { gates } = someGates({ ratePerSecond: { SMS: 1 } });
    const permit = admitted(gates.admit('SMS', 'twilio'));
    permit.settle();
    permit.cancel();
    expect(gates.admit('SMS', 'twilio')).toMatchObject({ admitted: false, outcome: 'rate_limited' });
  });

  test('when one provider fails repeatedly, then its breaker opens and logs, and other providers and channels are unaffected', () => {
    const { gates, changes } = someGates();
    admitted(gates.admit('WEBHOOK', 'a.example.com')).settle(unavailable());
    admitted(gates.admit('WEBHOOK', 'a.example.com')).settle(unavailable());
    expect(gates.admit('WEBHOOK', 'a.example.com')).toEqual({ admitted: false, outcome: 'circuit_open', retryInMs: 1000 });
    expect(gates.admit('WEBHOOK', 'b.example.com').admitted).toBe(true);
    expect(gates.admit('SMS', 'twilio').admitted).toBe(true);
    expect(changes).toEqual([{ channel: 'WEBHOOK', provider: 'a.example.com', to: 'open' }]);
  });

  test('when the open period ends and the probe succeeds, then the breaker closes', () => {
    const { gates, clock, changes } = someGates();
    admitted(gates.admit('SMS', 'twilio')).settle(unavailable());
    admitted(gates.admit('SMS', 'twilio')).settle(unavailable());
    clock.now += 1000;
    const probe = admitted(gates.admit('SMS', 'twilio'));
    expect(gates.admit('SMS', 'twilio')).toMatchObject({ admitted: false, outcome: 'circuit_open' });
    probe.settle();
    expect(gates.admit('SMS', 'twilio').admitted).toBe(true);
    expect(changes.map((c) => c.to)).toEqual(['open', 'half_open', 'closed']);
  });

  test('when the probe is refused by the rate limit, then the probe slot is freed for the next caller', () => {
    const { gates, clock } = someGates({ ratePerSecond: { SMS: 1 } });
    admitted(gates.admit('SMS', 'twilio')).settle(unavailable());
    clock.now += 1000;
    admitted(gates.admit('SMS', 'twilio')).settle(unavailable());
    clock.now += 1000;
    admitted(gates.admit('SMS', 'twilio')).cancel(); // the probe: no call after all, token refunded
    const probe = admitted(gates.admit('SMS', 'twilio'));
    probe.settle();
    clock.now += 1000;
    expect(gates.admit('SMS', 'twilio').admitted).toBe(true);
  });

  test('when the provider answers 429 with Retry-After, then it is paused that long (capped) and refused as rate_limited', () => {
    const { gates, clock } = someGates({ maxRetryAfterMs: 60_000 });
    admitted(gates.admit('LINE', 'line')).settle(new TransientError('RATE_LIMITED', '429', { retryAfterMs: 30_000 }));
    expect(gates.admit('LINE', 'line')).toEqual({ admitted: false, outcome: 'rate_limited', retryInMs: 30_000 });
    clock.now += 30_000;
    admitted(gates.admit('LINE', 'line')).settle(new TransientError('RATE_LIMITED', '429', { retryAfterMs: 3_600_000 }));
    expect(gates.admit('LINE', 'line')).toMatchObject({ retryInMs: 60_000 });
    expect(gates.admit('SLACK', 'slack-api').admitted).toBe(true);
  });

  test('when more providers than the limit are seen, then the least recently used is forgotten, not a busy one', () => {
    const { gates } = someGates();
    admitted(gates.admit('WEBHOOK', 'old.example.com')).settle(unavailable());
    admitted(gates.admit('EMAIL', 'smtp')).settle(unavailable());
    for (let i = 0; i < MAX_TRACKED_PROVIDERS; i++) {
      admitted(gates.admit('WEBHOOK', `h${i}.example.com`)).settle();
      if (i % 100 === 0) admitted(gates.admit('EMAIL', 'smtp')).cancel();
    }
    // smtp was used recently, so its first failure is remembered: one more opens the breaker.
    admitted(gates.admit('EMAIL', 'smtp')).settle(unavailable());
    expect(gates.admit('EMAIL', 'smtp')).toMatchObject({ admitted: false, outcome: 'circuit_open' });
    // old.example.com was not used since: forgotten, so one more failure does not open its breaker.
    admitted(gates.admit('WEBHOOK', 'old.example.com')).settle(unavailable());
    expect(gates.admit('WEBHOOK', 'old.example.com').admitted).toBe(true);
  });
});
