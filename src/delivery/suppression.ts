import { createHmac } from 'node:crypto';
import type { ChannelName, Notification } from '../codec/notification';

/**
 * The suppression list: addresses nothing more is sent to (hard bounces, spam complaints,
 * SMS opt-outs, or an operator's entry). Addresses are kept as keyed hashes
 * (HMAC-SHA256 with SUPPRESSION_KEY), never in clear: the list can say whether an address
 * is on it, not which addresses are.
 */
export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'opt_out', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Nothing can be delivered to a hard-bounced address: it suppresses mandatory types too. */
export const SUPPRESSES_MANDATORY: Readonly<Record<SuppressionReason, boolean>> = {
  hard_bounce: true,
  complaint: false,
  opt_out: false,
  manual: false,
};

/** The channels whose addresses can be suppressed, and each one's address in a notification. */
export const SUPPRESSIBLE: Partial<Record<ChannelName, (n: Notification) => string | undefined>> = {
  EMAIL: (n) => n.email?.to,
  SMS: (n) => n.sms?.to,
};

export type SuppressibleChannel = 'EMAIL' | 'SMS';
export const isSuppressible = (channel: string): channel is SuppressibleChannel => channel === 'EMAIL' || channel === 'SMS';

/** One address as the list stores it: the channel and the address's keyed hash. */
export interface SuppressionKey {
  channel: SuppressibleChannel;
  addressHash: string;
}

/** What the list says of an address on it. */
export interface Suppression {
  reason: SuppressionReason;
  mandatoryToo: boolean;
}

/** The same address however a provider or producer writes it: mail addresses in lower case, phone numbers as + and digits. */
export function normalizeAddress(channel: SuppressibleChannel, address: string): string {
  const trimmed = address.trim();
  return channel === 'EMAIL' ? trimmed.toLowerCase() : trimmed.replace(/[^+\d]/g, '');
}

/** Hashes addresses with the list's key. */
export function makeAddressHasher(key: string) {
  return (channel: SuppressibleChannel, address: string): SuppressionKey => ({
    channel,
    addressHash: createHmac('sha256', key).update(`${channel}\u0000${normalizeAddress(channel, address)}`).digest('hex'),
  });
}

export type AddressHasher = ReturnType<typeof makeAddressHasher>;

/** The list's key for this notification's recipient, when its channel's addresses can be suppressed. */
export function suppressionKeyOf(hash: AddressHasher, channel: ChannelName, n: Notification): SuppressionKey | undefined {
  const address = SUPPRESSIBLE[channel]?.(n);
  return address && isSuppressible(channel) ? hash(channel, address) : undefined;
}

/** Whether the list stops this delivery: any entry for a non-mandatory type, a hard bounce for every type. */
export const suppresses = (s: Suppression | undefined, mandatory: boolean): s is Suppression => s !== undefined && (!mandatory || s.mandatoryToo);

/** An entry as stored and listed: the hash, never the address. */
export interface SuppressionEntry extends SuppressionKey, Suppression {
  source: string;
  notificationId?: string;
  createdAt: string;
}

export interface SuppressionStore {
  /** Adds the address; an address already on the list keeps its first entry. True when added. */
  add(key: SuppressionKey, entry: { reason: SuppressionReason; mandatoryToo: boolean; source: string; notificationId?: string }): Promise<boolean>;
  get(key: SuppressionKey): Promise<SuppressionEntry | undefined>;
  /** True when there was an entry to remove. */
  remove(key: SuppressionKey): Promise<boolean>;
  /** The newest entries first, at most `limit`, of one channel or all. */
  list(opts: { channel?: string; limit: number }): Promise<SuppressionEntry[]>;
}
