import type { IncomingHttpHeaders } from 'node:http';
import { DeliveryError, FailureCode, OutcomeUnknownError, PermanentError, TransientCode, TransientError } from '../delivery/failures';

/** What a provider's answer means: retrying cannot help, may help, or may notify twice. */
export type Verdict =
  | { kind: 'permanent'; code: FailureCode }
  | { kind: 'transient'; code: TransientCode }
  | { kind: 'unknown_outcome'; code: 'SEND_OUTCOME_UNKNOWN' };

export const permanent = (code: FailureCode): Verdict => ({ kind: 'permanent', code });
export const transient = (code: TransientCode): Verdict => ({ kind: 'transient', code });
/** An answer saying the message may have been sent despite the error. */
export const unknownOutcome = (): Verdict => ({ kind: 'unknown_outcome', code: 'SEND_OUTCOME_UNKNOWN' });

/**
 * A provider's outcome table: HTTP statuses and the provider's own error codes (which win
 * over the status when present). Each channel states its table explicitly; statuses it
 * leaves out fall back to DEFAULT_VERDICTS by class.
 */
export interface OutcomeTable {
  statuses: Readonly<Record<number, Verdict>>;
  codes?: Readonly<Record<string, Verdict>>;
}

/** Statuses whose meaning is the same at every provider. */
export const COMMON_STATUSES: Readonly<Record<number, Verdict>> = {
  408: transient('PROVIDER_TIMEOUT'), // the provider gave up reading the request: not processed
  429: transient('RATE_LIMITED'),
  500: transient('PROVIDER_UNAVAILABLE'),
  502: transient('PROVIDER_UNAVAILABLE'),
  503: transient('PROVIDER_UNAVAILABLE'),
  504: transient('PROVIDER_TIMEOUT'),
};

/** A status no table names: 5xx transient, any other non-2xx a permanent rejection. */
export function defaultVerdict(status: number): Verdict {
  return status >= 500 ? transient('PROVIDER_UNAVAILABLE') : permanent('PROVIDER_REJECTED');
}

const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/** `Retry-After` as delay-seconds or an HTTP-date → milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(headers: IncomingHttpHeaders, nowMs: number): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Math.min(Number(raw), MAX_RETRY_AFTER_SECONDS) * 1000;
  // An HTTP-date names a weekday and month; Date.parse would also take "-5" as a year.
  const at = /^[A-Za-z]{3}, /.test(raw) ? Date.parse(raw) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The error for a non-2xx answer. The message names the provider, status and error code
 * only: providers echo recipients in their messages, and those must not reach logs.
 */
export function classifyResponse(
  provider: string,
  res: { status: number; headers: IncomingHttpHeaders },
  table: OutcomeTable,
  providerCode?: string,
  nowMs = Date.now(),
): DeliveryError {
  const byCode = providerCode !== undefined && table.codes && Object.hasOwn(table.codes, providerCode) ? table.codes[providerCode] : undefined;
  const verdict = byCode ?? table.statuses[res.status] ?? COMMON_STATUSES[res.status] ?? defaultVerdict(res.status);
  const message = `${provider} answered HTTP ${res.status}${providerCode !== undefined ? ` (${providerCode})` : ''}`;
  if (verdict.kind === 'permanent') return new PermanentError(verdict.code, message);
  if (verdict.kind === 'unknown_outcome') return new OutcomeUnknownError(`${message}: the message may have been sent`);
  return new TransientError(verdict.code, message, { retryAfterMs: retryAfterMs(res.headers, nowMs) });
}
