import type { ChannelName } from '../codec/notification';
import type { DeliveryError } from '../delivery/failures';
import type { Clock, GatePermit, GateRefusal, ProviderGates } from '../delivery/ports';
import { BreakerState, CallResult, CircuitBreaker, makeCircuitBreaker } from './circuit-breaker';
import { makeTokenBucket, TokenBucket } from './token-bucket';

export interface ProviderGatesOptions {
  /** Calls per second per provider and instance, by channel; 0 or absent = unlimited. */
  ratePerSecond: Partial<Record<ChannelName, number>>;
  breaker: { failureThreshold: number; openMs: number };
  /** The longest a provider's Retry-After pauses calls to it. */
  maxRetryAfterMs: number;
  clock: Clock;
  onBreakerChange?(change: { channel: ChannelName; provider: string; from: BreakerState; to: BreakerState; failures: number }): void;
}

/** Webhooks are gated per destination (allowlist entry or site): bound how many are remembered. */
export const MAX_TRACKED_PROVIDERS = 1000;

/** Provider failures that say it is unhealthy; other failures mean it answered. */
const UNHEALTHY = new Set<DeliveryError['code']>(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'SEND_OUTCOME_UNKNOWN']);

/**
 * What a call's result means to the breaker. Any verdict about the message or its recipient
 * (a refusal, a deferral of one address) is a healthy answer; only the provider itself
 * failing counts against it; a 429 or our own failure is neither.
 */
export function breakerResult(error?: DeliveryError): CallResult {
  if (!error || error.kind === 'permanent' || error.code === 'RECIPIENT_DEFERRED') return 'success';
  return UNHEALTHY.has(error.code) ? 'failure' : 'not_called';
}

interface Gate {
  bucket: TokenBucket;
  breaker: CircuitBreaker;
  /** No calls before this instant (the provider's Retry-After). */
  pausedUntil: number;
}

/** A token bucket and a circuit breaker per (channel, provider), created on first use. */
export function makeProviderGates(opts: ProviderGatesOptions): ProviderGates {
  const { clock } = opts;
  const gates = new Map<string, Gate>();

  function gateFor(channel: ChannelName, provider: string): Gate {
    const key = `${channel}\u0000${provider}`;
    let gate = gates.get(key);
    if (gate) {
      // Least recently used first: re-inserting keeps busy providers from being evicted.
      gates.delete(key);
      gates.set(key, gate);
      return gate;
    }
    if (gates.size >= MAX_TRACKED_PROVIDERS) gates.delete(gates.keys().next().value!);
    const rate = opts.ratePerSecond[channel] ?? 0;
    gate = {
      bucket: makeTokenBucket({ ratePerSecond: rate, burst: rate, clock }),
      breaker: makeCircuitBreaker({
        ...opts.breaker,
        clock,
        onChange: (change) => opts.onBreakerChange?.({ channel, provider, ...change }),
      }),
      pausedUntil: 0,
    };
    gates.set(key, gate);
    return gate;
  }

  function permit(gate: Gate, probe: boolean): GatePermit {
    let done = false;
    const finish = (result: CallResult) => {
      if (done) return false;
      done = true;
      gate.breaker.record(result, probe);
      return true;
    };
    return {
      admitted: true,
      settle(error) {
        if (!finish(breakerResult(error))) return;
        if (error?.kind === 'transient' && error.retryAfterMs !== undefined) {
          const until = clock.nowMs() + Math.min(error.retryAfterMs, opts.maxRetryAfterMs);
          gate.pausedUntil = Math.max(gate.pausedUntil, until);
        }
      },
      cancel() {
        if (finish('not_called')) gate.bucket.refund();
      },
    };
  }

  return {
    admit(channel, provider): GatePermit | GateRefusal {
      const gate = gateFor(channel, provider);
      const paused = gate.pausedUntil - clock.nowMs();
      if (paused > 0) return { admitted: false, outcome: 'rate_limited', retryInMs: paused };
      const breaker = gate.breaker.admit();
      if (!breaker.ok) return { admitted: false, outcome: 'circuit_open', retryInMs: breaker.retryInMs };
      const wait = gate.bucket.take();
      if (wait > 0) {
        gate.breaker.record('not_called', breaker.probe);
        return { admitted: false, outcome: 'rate_limited', retryInMs: wait };
      }
      return permit(gate, breaker.probe);
    },
  };
}
