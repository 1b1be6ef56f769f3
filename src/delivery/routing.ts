import { createHash, createHmac } from 'node:crypto';
import { CHANNELS, ChannelName, ContentPayload, Notification } from '../codec/notification';
import { MESSAGES } from '../channels/messages';
import type { Contact } from './ports';
import { TARGET_ATTRIBUTE } from '../codec/attributes';
import { withoutRenderedFields } from '../codec/payload-checks';

/**
 * A routed notification (no channel; an account and content) becomes one notification per
 * contact of the account on a configured channel, each rendered from the content and
 * delivered on its own: its own ledger row (its target), retries and failures.
 */
export interface RoutedMessage {
  /** The ledger key's channel: `CHANNEL:` and 8 hex of the contact's hash. */
  target: string;
  notification: Notification;
}

/** The ledger key of the routed notification itself (its fan-out is recorded there). */
export const ROUTED_KEY = 'ROUTED';

/**
 * A contact's target key, stable whatever else the account's contacts are: a retry after
 * the contact list changed never sends twice to one address.
 */
export function targetKey(channel: ChannelName, address: string): string {
  return `${channel}:${createHash('sha256').update(address, 'utf8').digest('hex').slice(0, 8)}`;
}

/**
 * A target as it leaves the service (lifecycle events, the status API). The ledger's 8 hex of
 * an unkeyed SHA-256 can be reversed for a phone number by trying them all; outside, they are
 * replaced by 8 hex of an HMAC under a server key: as stable per contact, not reversible.
 */
export function makePublicTarget(key: string): (target: string) => string {
  return (target) => {
    const colon = target.indexOf(':');
    return colon < 0 ? target : `${target.slice(0, colon)}:${createHmac('sha256', key).update(target).digest('hex').slice(0, 8)}`;
  };
}

/** The ledger channel of a delivery: a valid `notifier_target` for this channel, else the channel name. */
export function targetOf(channel: ChannelName, attributes: Record<string, string>): string {
  const target = attributes[TARGET_ATTRIBUTE];
  return target !== undefined && new RegExp(`^${channel}:[0-9a-f]{8}$`).test(target) ? target : channel;
}

const NO_CONTENT: ContentPayload = { title: '', body: '', url: '', data: {} };

/**
 * The channel's payload for one contact, rendered from the content by its message
 * (channels/<name>/message.ts); for a template, only the recipient: the contact's own
 * delivery renders it in the account's locale.
 */
function render(channel: ChannelName, address: string, n: Notification): Partial<Notification> | undefined {
  const message = MESSAGES.find((m) => m.name === channel);
  if (!message) return undefined;
  const payload = n.template ? withoutRenderedFields(message.render(address, NO_CONTENT, n.type)) : message.render(address, n.content!, n.type);
  return { [message.field]: payload };
}

/** One message per contact on a channel `accepts`; contacts of other channels are skipped. */
export function routeToContacts(n: Notification, contacts: readonly Contact[], accepts: (channel: ChannelName) => boolean): RoutedMessage[] {
  if (!n.content && !n.template) return [];
  const routed: RoutedMessage[] = [];
  for (const { channel, address } of contacts) {
    const payload = accepts(channel) ? render(channel, address, n) : undefined;
    if (!payload) continue;
    const { content: _content, ...rest } = n;
    routed.push({ target: targetKey(channel, address), notification: { ...rest, channel: CHANNELS[channel], ...payload } });
  }
  return routed;
}
