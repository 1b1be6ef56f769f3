/**
 * What Twilio sends the notifier after a message was accepted: status callbacks for the
 * messages it sent, and incoming messages (a recipient replying STOP). Both are
 * form-encoded POSTs signed with X-Twilio-Signature.
 *
 * Checked against Twilio's docs:
 * - "Secure webhooks" (https://www.twilio.com/docs/usage/webhooks/webhooks-security) and
 *   "Webhook security" (https://www.twilio.com/docs/usage/api-security-reference-guide/webhook):
 *   the signature is HMAC-SHA1, keyed with the account's auth token, over the full URL Twilio
 *   called followed by every POST parameter, sorted by name, as name and value with no
 *   delimiters; base64. Twilio may add parameters at any time, so every received one is signed.
 * - "Track the Message Status of Outbound Messages" and "Outbound Message Status in Status
 *   Callbacks" (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status,
 *   .../outbound-message-status-in-status-callbacks): the StatusCallback parameter of Messages
 *   create; each callback carries MessageSid, MessageStatus, To, From, AccountSid and, for
 *   failed and undelivered messages, ErrorCode. No callback is sent for the initial status.
 * - Error 21610 (https://www.twilio.com/docs/api/errors/21610): the recipient replied STOP.
 * - "Customize users' opt-in and opt-out experience with Advanced Opt-Out"
 *   (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out) and "Twilio's request to
 *   your incoming message Webhook URL" (https://www.twilio.com/docs/messaging/guides/webhook-request):
 *   Twilio's default opt-out keywords, and OptOutType (STOP, START, HELP) on incoming messages
 *   of a Messaging Service with Advanced Opt-Out.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderReport } from '../../delivery/provider-reports';

/** Where the notifier receives Twilio's status callbacks (the StatusCallback it sends) and incoming messages. */
export const TWILIO_STATUS_PATH = '/v1/callbacks/twilio/status';
export const TWILIO_INBOUND_PATH = '/v1/callbacks/twilio/inbound';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** Error 21610: "Attempt to send to unsubscribed recipient" — the number replied STOP. */
export const UNSUBSCRIBED_RECIPIENT = '21610';

/** Twilio's default opt-out keywords for long codes (Advanced Opt-Out tutorial), matched whole, case-insensitive, trimmed. */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);

/** Advanced Opt-Out's default opt-in keywords: the sender receives messages again. */
export const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START', 'YES', 'UNSTOP']);

/** MessageStatus → our lifecycle event. Any other status (queued, sending, sent, accepted, read, …) is not one of ours. */
const STATUS_EVENTS: Readonly<Record<string, ProviderReport['event']>> = {
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'undelivered',
};

/** The X-Twilio-Signature of a request to `url` with these POST parameters. */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const signed = pairs.reduce((text, [name, value]) => text + name + value, url);
  return createHmac('sha1', authToken).update(signed, 'utf8').digest('base64');
}

/** Whether `signature` is Twilio's for this URL and these parameters; compared in constant time. */
export function verifyTwilioSignature(authToken: string, url: string, params: URLSearchParams, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A status callback as a provider report, or undefined when it is not a lifecycle event of
 * ours (an intermediate status) or names no message. A 21610 also puts `To` on the
 * suppression list: Twilio refuses every later message to it anyway.
 */
export function statusReport(params: URLSearchParams): ProviderReport | undefined {
  const sid = params.get('MessageSid') ?? params.get('SmsSid');
  const status = (params.get('MessageStatus') ?? params.get('SmsStatus') ?? '').toLowerCase();
  const event = STATUS_EVENTS[status];
  if (!sid || !event) return undefined;
  const code = event === 'undelivered' ? params.get('ErrorCode') || undefined : undefined;
  const to = params.get('To');
  return {
    channel: 'SMS',
    providerMessageId: sid,
    event,
    ...(code && { code }),
    reportId: `${sid}:${status}`,
    ...(code === UNSUBSCRIBED_RECIPIENT && to && { suppress: { address: to, reason: 'opt_out' as const } }),
    source: 'twilio',
  };
}

/** Whether an incoming message opts its sender out: Advanced Opt-Out says STOP, or the body is a default opt-out keyword. */
export function isOptOut(params: URLSearchParams): boolean {
  return params.get('OptOutType')?.toUpperCase() === 'STOP' || OPT_OUT_KEYWORDS.has((params.get('Body') ?? '').trim().toUpperCase());
}

/** Whether an incoming message opts its sender back in: Advanced Opt-Out says START, or the body is a default opt-in keyword. */
export function isOptIn(params: URLSearchParams): boolean {
  return params.get('OptOutType')?.toUpperCase() === 'START' || OPT_IN_KEYWORDS.has((params.get('Body') ?? '').trim().toUpperCase());
}
