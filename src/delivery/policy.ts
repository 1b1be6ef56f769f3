import type { Notification } from '../codec/notification';
import type { SuppressionCode } from './failures';
import type { AccountPolicy, PreferenceRule } from './ports';
import { quietHoursEnd } from './quiet-hours';

/** What an account's settings say about one delivery. */
export type Decision =
  | { action: 'send' }
  /** Recorded `suppressed` with `code`; `rule` says why, e.g. `marketing.* × *: off`. */
  | { action: 'suppress'; code: SuppressionCode; rule: string }
  /** Quiet hours: held until `releaseAtMs`. */
  | { action: 'hold'; releaseAtMs: number };

export interface DecisionRequest {
  type: string;
  channel: string;
  /** A mandatory type (security, legal, transactional): opt-outs and quiet hours never apply. */
  mandatory: boolean;
  /** Published again by the release task: its quiet hours are over. */
  released: boolean;
  nowMs: number;
}

const SEND: Decision = { action: 'send' };

/** Past `expires_at_micros` (0 = never): not to be sent any more. */
export function isExpired(n: Pick<Notification, 'expiresAtMicros'>, nowMs: number): boolean {
  return n.expiresAtMicros > 0n && n.expiresAtMicros <= BigInt(nowMs) * 1000n;
}

/** `order.shipped` → `order.*`; a type without a dot has no category. */
export function categoryScope(type: string): string | undefined {
  const dot = type.indexOf('.');
  return dot > 0 ? `${type.slice(0, dot)}.*` : undefined;
}

/** The scopes whose rules can decide for `type`: the type itself, its category, and `*`. */
export function scopesFor(type: string): string[] {
  return [...new Set([type, categoryScope(type), '*'].filter((s): s is string => s !== undefined))];
}

/** Whether `type` is one of `patterns` (types, or `category.*`). */
export function matchesType(type: string, patterns: readonly string[]): boolean {
  const category = categoryScope(type);
  return patterns.some((p) => p === type || p === category);
}

/**
 * The rule that decides for (type, channel): the most specific scope wins (the type, then its
 * category, then `*`), and within a scope a rule for the channel wins over one for `*`.
 */
export function decidingRule(rules: readonly PreferenceRule[], type: string, channel: string): PreferenceRule | undefined {
  for (const scope of scopesFor(type)) {
    const rule = rules.find((r) => r.scope === scope && r.channel === channel) ?? rules.find((r) => r.scope === scope && r.channel === '*');
    if (rule) return rule;
  }
  return undefined;
}

export const describeRule = (r: PreferenceRule) => `${r.scope} × ${r.channel}: ${r.enabled ? 'on' : 'off'}`;

/**
 * Applies an account's settings to one delivery: without settings, or for a mandatory type,
 * it is sent; an opt-out suppresses it; inside quiet hours (unless released) it is held.
 */
export function decide(policy: AccountPolicy | undefined, req: DecisionRequest): Decision {
  if (!policy || req.mandatory) return SEND;
  const rule = decidingRule(policy.rules, req.type, req.channel);
  if (rule && !rule.enabled) return { action: 'suppress', code: 'OPTED_OUT', rule: describeRule(rule) };
  if (!policy.quietHours || req.released) return SEND;
  let releaseAtMs: number | undefined;
  try {
    releaseAtMs = quietHoursEnd(req.nowMs, policy.quietHours);
  } catch {
    // A zone this runtime does not know (the settings API refuses them): no quiet hours
    // rather than no notification.
    return SEND;
  }
  return releaseAtMs === undefined ? SEND : { action: 'hold', releaseAtMs };
}
