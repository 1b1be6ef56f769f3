/**
 * Webhook signatures, for receivers to check that a request comes from us, unaltered,
 * recently, and addressed to them.
 *
 * Each request carries:
 *   X-Notifier-Notification-Id: <notification_id>   the idempotency key: deduplicate by it
 *                                                   (percent-encoded when it holds `%` or
 *                                                   anything but printable ASCII: see
 *                                                   notificationIdHeader)
 *   X-Notifier-Timestamp:       <unix seconds>      decimal digits, when the request was signed
 *   X-Notifier-Signature:       v1=<hex>,v2=<hex>   comma-separated `scheme=value` entries,
 *                                                   each lowercase hex of 64 characters
 *
 * v2 (verify this one): hex(HMAC-SHA256(key = the signing secret as UTF-8 bytes, message =
 * "{timestamp}\n{url}\n{raw body}")), where {url} is the destination as the request
 * addresses it (signedUrl): `scheme://host[:port]` and the request target, exactly as
 * on the wire. The timestamp is digits and a serialised URL never holds a line feed, so the
 * message splits one way only, and a request captured on its way to one URL does not verify
 * at another: another host, port, path or query (a tenant's token) is another message.
 *
 * v1 (deprecated, removed in the next release): the same HMAC over "{timestamp}.{raw body}".
 * It binds no destination: a request to one receiver verifies at every receiver sharing the
 * secret. It stays first in the header for one release so that receivers built on the
 * previous documented snippet keep verifying (Node's hex decoding stops at the comma).
 *
 * Verifying: recompute over the raw body as received (do not re-serialise a parsed copy),
 * compare in constant time (e.g. crypto.timingSafeEqual, hmac.compare_digest, hash_equals)
 * after checking the lengths match, accept when any `v2=` entry matches, ignore schemes you
 * do not know, and reject a timestamp more than 300 seconds (5 minutes) away from your clock,
 * in either direction: that bounds how long a captured request can be replayed. Every retry
 * of a delivery is signed afresh with a new timestamp and the same notification ID, so a
 * retry past the window still verifies and deduplicates.
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

/**
 * The destination as v2 signs it: `scheme://host[:port]` (host in lower case, IDN as punycode,
 * the port only when not the scheme's default — the Host header) and the path and query exactly
 * as the request line carries them; no fragment (never sent), no user info (refused earlier).
 */
export function signedUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

const hmacHex = (secret: string, message: string) => createHmac('sha256', secret).update(message, 'utf8').digest('hex');

/** The `X-Notifier-Signature` value for a body sent to `url` at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string, url: URL): string {
  const v1 = hmacHex(secret, `${timestamp}.${body}`);
  const v2 = hmacHex(secret, `${timestamp}\n${signedUrl(url)}\n${body}`);
  return `v1=${v1},v2=${v2}`;
}

export interface ReceivedWebhook {
  /** The X-Notifier-Timestamp header. */
  timestamp: string | undefined;
  /** The X-Notifier-Signature header. */
  signature: string | undefined;
  /** The raw body as received. */
  body: string | Buffer;
  /**
   * This request's URL as the notifier addressed it: the receiver's own public origin
   * (`https://hooks.example.com`, not a proxy's internal address) followed by the request
   * target as received (`req.url`), concatenated, not re-parsed.
   */
  url: string;
}

const V2_ENTRY = /^v2=([0-9a-f]{64})$/;

/** For receivers written in Node: whether a request is genuine, recent and meant for `url` (v2). */
export function verifyWebhookSignature(secret: string, received: ReceivedWebhook, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const { timestamp, signature, body, url } = received;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${url}\n`, 'utf8').update(body).digest();
  return signature.split(',').some((entry) => {
    const hex = V2_ENTRY.exec(entry.trim())?.[1];
    return hex !== undefined && timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  });
}
