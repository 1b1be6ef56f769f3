import type { Clock } from '../delivery/ports';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a call admitted by the breaker turned out to be. */
export type CallResult = 'success' | 'failure' | 'not_called';

export type BreakerAdmission = { ok: true; probe: boolean } | { ok: false; retryInMs: number };

export interface CircuitBreaker {
  admit(): BreakerAdmission;
  /** Reports an admitted call; `probe` as `admit` said. */
  record(result: CallResult, probe: boolean): void;
  readonly state: BreakerState;
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker; 0 disables it. */
  failureThreshold: number;
  /** How long it stays open before one probe call may test the provider. */
  openMs: number;
  clock: Clock;
  onChange?(change: { from: BreakerState; to: BreakerState; failures: number }): void;
}

/**
 * closed → (failureThreshold consecutive failures) → open → (openMs) → half_open, where one
 * probe call is let through: its success closes the breaker, its failure opens it again.
 * Results of calls admitted before the breaker opened only count while it is closed.
 */
export function makeCircuitBreaker(opts: CircuitBreakerOptions): CircuitBreaker {
  const { clock } = opts;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probeInFlight = false;

  function moveTo(to: BreakerState) {
    const from = state;
    state = to;
    if (to === 'open') openedAt = clock.nowMs();
    if (to === 'closed') failures = 0;
    opts.onChange?.({ from, to, failures });
  }

  return {
    get state() {
      return state;
    },
    admit() {
      if (opts.failureThreshold <= 0 || state === 'closed') return { ok: true, probe: false };
      const waited = clock.nowMs() - openedAt;
      if (state === 'open' && waited < opts.openMs) return { ok: false, retryInMs: opts.openMs - waited };
      if (state === 'open') moveTo('half_open');
      // One probe at a time; the others wait for its verdict.
      if (probeInFlight) return { ok: false, retryInMs: Math.min(1000, opts.openMs) };
      probeInFlight = true;
      return { ok: true, probe: true };
    },
    record(result, probe) {
      if (opts.failureThreshold <= 0) return;
      if (probe) {
        probeInFlight = false;
        if (result === 'success') moveTo('closed');
        else if (result === 'failure') moveTo('open');
        return;
      }
      if (state !== 'closed' || result === 'not_called') return;
      failures = result === 'failure' ? failures + 1 : 0;
      if (failures >= opts.failureThreshold) moveTo('open');
    },
  };
}
