import { createHash } from 'node:crypto';
import { CHANNELS, ChannelName, ContentPayload, Notification } from '../codec/notification';
import { LIMITS } from '../codec/payload-checks';
import type { Contact } from './ports';
import { TARGET_ATTRIBUTE } from '../codec/attributes';
import { cut } from '../text';

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

/** The ledger channel of a delivery: a valid `notifier_target` for this channel, else the channel name. */
export function targetOf(channel: ChannelName, attributes: Record<string, string>): string {
  const target = attributes[TARGET_ATTRIBUTE];
  return target !== undefined && new RegExp(`^${channel}:[0-9a-f]{8}$`).test(target) ? target : channel;
}

const lines = (...parts: string[]) => parts.filter(Boolean).join('\n');

/** A mail subject: one line (any of CR, LF, CRLF ends it), the first with text in the title, else the body, else the type. */
function subjectOf(c: ContentPayload, type: string): string {
  const line = [c.title, c.body].flatMap((t) => t.split(/\r\n|\r|\n/)).find((l) => l.trim() !== '');
  return cut(line ?? type, 200);
}

/** The channel's payload for one contact, within the channel's limits. */
function render(channel: ChannelName, address: string, c: ContentPayload, type: string): Partial<Notification> | undefined {
  switch (channel) {
    case 'EMAIL':
      return { email: { to: address, subject: subjectOf(c, type), text: lines(c.body || c.title, c.url && `\n${c.url}`), html: '' } };
    case 'SMS':
      return { sms: { to: address, body: cut(lines(c.title, c.body, c.url), LIMITS.smsBody) } };
    case 'PUSH': {
      const data = { ...c.data, ...(c.url && { url: c.url }) };
      const room = LIMITS.pushPayloadBytes - Buffer.byteLength(c.title) - Object.entries(data).flat().reduce((n, s) => n + Buffer.byteLength(s), 0);
      return { push: { deviceToken: address, title: c.title, body: cut(c.body, Math.max(0, Math.floor(room / 4))), data } };
    }
    case 'SLACK':
      return { slack: { channel: address, text: cut(lines(c.title && `*${c.title}*`, c.body, c.url), LIMITS.slackText) } };
    case 'LINE':
      return { line: { to: address, text: cut(lines(c.title, c.body, c.url), LIMITS.lineText) } };
    case 'WEBHOOK':
      return { webhook: { url: address, payloadJson: JSON.stringify({ title: c.title, body: c.body, url: c.url, data: c.data }) } };
    default:
      return undefined;
  }
}

/** One message per contact on a channel in `configured`; contacts of other channels are skipped. */
export function routeToContacts(n: Notification, contacts: readonly Contact[], configured: (channel: ChannelName) => boolean): RoutedMessage[] {
  const content = n.content;
  if (!content) return [];
  const routed: RoutedMessage[] = [];
  for (const { channel, address } of contacts) {
    const payload = configured(channel) ? render(channel, address, content, n.type) : undefined;
    if (!payload) continue;
    const { content: _content, ...rest } = n;
    routed.push({ target: targetKey(channel, address), notification: { ...rest, channel: CHANNELS[channel], ...payload } });
  }
  return routed;
}
