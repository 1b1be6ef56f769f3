import { problem } from '../channels/message-kit';
import { MESSAGES } from '../channels/messages';
import { isReservedFcmKey, PUSH_LIMITS } from '../channels/push/message';
import { webhookUrlProblem } from '../channels/webhook/message';
import { ChannelName, CHANNELS, Notification } from './notification';

export type ValidationCode = 'INVALID_PAYLOAD' | 'UNKNOWN_CHANNEL' | 'INVALID_RECIPIENT' | 'TEMPLATE_NOT_FOUND' | 'TEMPLATE_DATA_INVALID';

/** One problem of a notification: the field, what is wrong (never its value), and the failure code. */
export interface FieldProblem {
  field: string;
  problem: string;
  code: ValidationCode;
}

/**
 * The payload checks, run by the notifier before sending and by the producer client before
 * publishing: each channel's own (channels/<name>/message.ts), and the routed content's.
 * Values never appear in a problem (they may be personal data).
 */
type Problems = FieldProblem[];
type Check = (n: Notification, problems: Problems) => void;

export const LIMITS = {
  // A whole encoded notification: Pub/Sub's 10 MB less room for the attributes the notifier
  // adds when it publishes the message again (held, released, dead-lettered). No notification
  // within the channel limits comes near it; padding or unknown fields can.
  notificationBytes: 8 * 1024 * 1024,
  contentTitle: 256,
  contentBody: 4000,
  contentDataEntries: 20,
  contentPushBodyBytes: 256, // left for the body when content is rendered for a device
  templateDataBytes: 64 * 1024,
  localeLength: 35, // account_settings.locale
} as const;

/**
 * The payload fields a template fills (templates/: subject, text, html, title, body), each
 * with a value valid wherever it appears: a templated payload is checked with these in place,
 * so its recipient and the rest are checked before rendering as they are after. A webhook
 * gets the data itself as its JSON, and is checked with it.
 */
const RENDERED_FIELDS: Readonly<Record<string, string>> = { subject: 'x', text: 'x', html: 'x', title: 'x', body: 'x', payloadJson: '{}' };

/** A payload with the fields a template fills left empty: what a templated notification carries. */
export function withoutRenderedFields<P extends object>(payload: P): P {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, Object.hasOwn(RENDERED_FIELDS, k) ? '' : v])) as P;
}

const protoName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A templated payload: the fields the template fills must be empty; the rest is checked as usual. */
function templatedPayload(field: string, payload: object, dataJson: string, problems: Problems): object {
  const filled: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (!Object.hasOwn(RENDERED_FIELDS, name)) continue;
    if (value) problem(problems, `${field}.${protoName(name)}`, 'is rendered from the template: leave it empty');
    filled[name] = name === 'payloadJson' ? dataJson : RENDERED_FIELDS[name]!;
  }
  return { ...payload, ...filled };
}

/** A channel that reaches a recipient: every channel but CHANNEL_UNSPECIFIED. */
export type RecipientChannel = Exclude<ChannelName, 'CHANNEL_UNSPECIFIED'>;

/**
 * Why `address` cannot reach anyone on a channel, or undefined. The check of each
 * payload's recipient field, and of an account's contacts (settings).
 */
export const RECIPIENT_CHECKS = Object.fromEntries(MESSAGES.map((m) => [m.name, m.recipientProblem])) as Readonly<
  Record<RecipientChannel, (address: string) => string | undefined>
>;

/** A routed notification's content; each channel's rendering is cut to that channel's limits. */
const checkContent: Check = (n, problems) => {
  const content = n.content;
  if (!content) return;
  if (!content.title && !content.body) problem(problems, 'content.body', 'title or body is required');
  if (content.title.length > LIMITS.contentTitle) problem(problems, 'content.title', `is longer than ${LIMITS.contentTitle} characters`);
  if (content.body.length > LIMITS.contentBody) problem(problems, 'content.body', `is longer than ${LIMITS.contentBody} characters`);
  const urlProblem = content.url ? webhookUrlProblem(content.url) : undefined;
  if (urlProblem) problem(problems, 'content.url', urlProblem);
  const keys = Object.keys(content.data);
  if (keys.length > LIMITS.contentDataEntries) problem(problems, 'content.data', `has more than ${LIMITS.contentDataEntries} entries`);
  const reserved = keys.filter(isReservedFcmKey);
  if (reserved.length) problem(problems, 'content.data', `uses keys FCM reserves (${reserved.join(', ')})`);
  // A device gets title, data and the link whole, and the body in what is left.
  const whole = [content.title, ...Object.entries(content.data).flat(), ...(content.url ? ['url', content.url] : [])];
  const bytes = whole.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (bytes > PUSH_LIMITS.payloadBytes - LIMITS.contentPushBodyBytes) {
    problem(problems, 'content.data', `with the title and url exceeds ${PUSH_LIMITS.payloadBytes - LIMITS.contentPushBodyBytes} bytes (FCM's ${PUSH_LIMITS.payloadBytes}, less room for the body)`);
  }
};

/** Channel number → its payload check: the channel's payload must be there, then its own checks run. */
export const PAYLOAD_CHECKS: Readonly<Partial<Record<number, Check>>> = {
  [CHANNELS.CHANNEL_UNSPECIFIED]: checkContent,
  ...Object.fromEntries(
    MESSAGES.map((m): [number, Check] => [
      m.number,
      (n, problems) => {
        const payload = n[m.field];
        if (!payload) problem(problems, m.field, `is required for channel ${m.name}`);
        // Each entry's check takes its own payload type; the field names it.
        else (m.check as (p: object, problems: Problems) => void)(n.template ? templatedPayload(m.field, payload, n.template.dataJson, problems) : payload, problems);
      },
    ]),
  ),
};

/** The size check on a notification's encoded bytes (the validator sees only the decoded notification). */
export function encodedSizeProblem(bytes: number): FieldProblem | undefined {
  if (bytes <= LIMITS.notificationBytes) return undefined;
  return { field: 'notification', problem: `is ${bytes} bytes encoded, more than ${LIMITS.notificationBytes}`, code: 'INVALID_PAYLOAD' };
}
