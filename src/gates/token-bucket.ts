import type { Clock } from '../delivery/ports';

/** A token bucket: `ratePerSecond` sustained, up to `burst` at once. */
export interface TokenBucket {
  /** Takes a token: 0 when taken, else the milliseconds until one is available. */
  take(): number;
  /** Returns a token that was taken but not used. */
  refund(): void;
}

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  clock: Clock;
}

const UNLIMITED: TokenBucket = { take: () => 0, refund: () => undefined };

/** `ratePerSecond` 0 means no limit. The bucket starts full. */
export function makeTokenBucket({ ratePerSecond, burst, clock }: TokenBucketOptions): TokenBucket {
  if (ratePerSecond <= 0) return UNLIMITED;
  const capacity = Math.max(1, burst);
  let tokens = capacity;
  let refilledAt = clock.nowMs();

  function refill() {
    const now = clock.nowMs();
    tokens = Math.min(capacity, tokens + ((now - refilledAt) * ratePerSecond) / 1000);
    refilledAt = now;
  }

  return {
    take() {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - tokens) * 1000) / ratePerSecond);
    },
    refund() {
      tokens = Math.min(capacity, tokens + 1);
    },
  };
}
