/**
 * Webhook signatures (scheme v1), for receivers to check that a request comes from us,
 * unaltered and recently.
 *
 * Each request carries:
 *   X-Notifier-Notification-Id: <notification_id>   the idempotency key: deduplicate by it
 *                                                   (percent-encoded when it holds `%` or
 *                                                   anything but printable ASCII: see
 *                                                   notificationIdHeader)
 *   X-Notifier-Timestamp:       <unix seconds>      decimal digits, when the request was signed
 *   X-Notifier-Signature:       v1=<hex>            lowercase hex of 64 characters
 *
 * What is signed: the bytes of the timestamp header value (ASCII digits), one full stop
 * ".", then the raw request body exactly as received (UTF-8 JSON; do not re-serialise a
 * parsed copy). `<hex>` = hex(HMAC-SHA256(key = the shared signing secret as UTF-8 bytes,
 * message = "{timestamp}.{raw body}")).
 *
 * Verifying: compute the same HMAC, compare it with the header's hex in constant time
 * (e.g. crypto.timingSafeEqual, hmac.compare_digest, hash_equals) after checking the
 * lengths match, and reject a timestamp more than 300 seconds (5 minutes) away from your
 * clock, in either direction: that bounds how long a captured request can be replayed.
 * Every retry of a delivery is signed afresh with a new timestamp and the same
 * notification ID, so a retry past the window still verifies and deduplicates.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  notificationId: 'x-notifier-notification-id',
  timestamp: 'x-notifier-timestamp',
  signature: 'x-notifier-signature',
} as const;

/**
 * The notification ID as a header value. HTTP headers carry printable ASCII; an ID with
 * anything else (`注文-42`), or with `%`, is percent-encoded (decodeURIComponent gives it
 * back). An encoded value always contains `%` and a plain one never does, so two IDs never
 * share a header value; the body's `notification_id` is the ID itself.
 */
export function notificationIdHeader(notificationId: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(notificationId) ? notificationId : encodeURIComponent(notificationId);
}

/** How far a signature's timestamp may be from the receiver's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `X-Notifier-Signature` value for a body sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export interface ReceivedWebhook {
  /** The X-Notifier-Timestamp header. */
  timestamp: string | undefined;
  /** The X-Notifier-Signature header. */
  signature: string | undefined;
  /** The raw body as received. */
  body: string | Buffer;
}

/** For receivers written in Node: whether a request is genuine and recent. */
export function verifyWebhookSignature(secret: string, received: ReceivedWebhook, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const { timestamp, signature, body } = received;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature?.startsWith('v1=')) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  // A malformed hex string decodes short: the length check rejects it before comparing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
